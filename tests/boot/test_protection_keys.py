"""Protection keys stop every access to another compartment's memory.

One image of tests/apps/access serves all cases: its command line says
what to touch (data, bss, rodata or stack of the victim compartment), how
(read or write) and who does it (the intruder itself, or the owner).
"""

import pytest

from conftest import FCALL, TREE, boot, build_app

ACCESS = TREE / "tests" / "apps" / "access"
KINDS = ("data", "bss", "rodata", "stack")
SYMBOLS = {"data": "victim_data", "bss": "victim_bss",
           "rodata": "victim_rodata", "stack": "?"}


@pytest.fixture(scope="module")
def mpk_image(tmp_path_factory):
    return build_app(ACCESS, tmp_path_factory.mktemp("access-mpk"))


@pytest.fixture(scope="module")
def fcall_image(tmp_path_factory):
    return build_app(ACCESS, tmp_path_factory.mktemp("access-fcall"), FCALL)


def violation_fields(line):
    assert line.startswith("ukcompart: violation: "), line
    return dict(field.split("=", 1)
                for field in line[len("ukcompart: violation: "):].split())


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("access", ["read", "write"])
def test_intruder_access_faults_with_the_right_kind(mpk_image, access, kind):
    status, lines = boot(mpk_image, f"{access} {kind}")
    assert status == 3
    assert len(lines) == 1
    fields = violation_fields(lines[0])
    assert (fields["comp"], fields["access"], fields["owner"]) == \
        ("intruder", access, "victim")
    assert fields["symbol"] == SYMBOLS[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_owner_reads_its_own_memory(mpk_image, kind):
    expected = {"data": "v", "bss": "\0", "rodata": "v", "stack": "s"}[kind]
    status, lines = boot(mpk_image, f"read {kind} owner")
    assert (status, lines) == (0, [f"access ok: {expected}"])


@pytest.mark.parametrize("kind", ["data", "bss", "stack"])
def test_owner_writes_its_own_memory(mpk_image, kind):
    assert boot(mpk_image, f"write {kind} owner") == (0, ["access ok: w"])


@pytest.mark.parametrize("kind", ["data", "bss", "stack"])
def test_without_keys_the_intruder_write_succeeds(fcall_image, kind):
    assert boot(fcall_image, f"write {kind}") == (0, ["access ok: w"])


@pytest.mark.parametrize("image", ["mpk_image", "fcall_image"])
def test_init_table_entry_of_a_compartment_runs_with_its_rights(
        image, request):
    assert boot(request.getfixturevalue(image), "init") == \
        (0, ["init ran: yes"])


def test_stack_address_reports_no_symbol(mpk_image):
    status, lines = boot(mpk_image, "read stack")
    assert violation_fields(lines[0])["symbol"] == "?"
