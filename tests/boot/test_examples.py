"""The examples boot and print exactly what they promise."""

import pytest

from conftest import FCALL, TREE, boot, build_app, scons

HELLO = TREE / "examples" / "hello"
TWO_COMPS = TREE / "examples" / "two-comps"

VIOLATION = ("ukcompart: violation: comp=app access=read addr=0x{addr:x} "
             "owner=vault symbol=vault_secret")


def symbol_address(image_dbg, name):
    from elftools.elf.elffile import ELFFile

    with open(image_dbg, "rb") as f:
        for sym in ELFFile(f).get_section_by_name(".symtab").iter_symbols():
            if sym.name == name:
                return sym["st_value"]
    raise AssertionError(f"{name} not in {image_dbg}")


def test_hello_prints_its_line_and_exits_0(tmp_path):
    image = build_app(HELLO, tmp_path)
    assert boot(image) == (0, ["Hello from ukcompart"])


def test_scons_run_streams_the_console_and_passes_the_status(tmp_path):
    build_app(HELLO, tmp_path)
    done = scons(f"UK_APP={HELLO}", f"O={tmp_path}", "run")
    assert done.returncode == 0
    assert done.stdout.splitlines()[-1] == "Hello from ukcompart"


@pytest.mark.parametrize("changes", [{}, FCALL], ids=["mpk", "fcall"])
def test_two_comps_asks_the_vault(tmp_path, changes):
    image = build_app(TWO_COMPS, tmp_path, changes)
    assert boot(image) == (0, ["vault says: ok"])


def test_two_comps_steal_is_stopped_by_mpk(tmp_path):
    image = build_app(TWO_COMPS, tmp_path, {"CONFIG_EXAMPLE_STEAL": "y"})
    secret = symbol_address(f"{image}.dbg", "vault_secret")
    assert boot(image) == (3, ["vault says: ok",
                               VIOLATION.format(addr=secret)])


def test_scons_run_exits_with_the_violation_status(tmp_path):
    build_app(TWO_COMPS, tmp_path, {"CONFIG_EXAMPLE_STEAL": "y"})
    done = scons(f"UK_APP={TWO_COMPS}", f"O={tmp_path}", "run")
    assert done.returncode == 3


def test_two_comps_steal_succeeds_without_keys(tmp_path):
    image = build_app(TWO_COMPS, tmp_path,
                      dict(FCALL, CONFIG_EXAMPLE_STEAL="y"))
    assert boot(image) == (0, ["vault says: ok",
                               "stolen secret: correct horse battery staple"])


def test_mpk_image_on_a_cpu_without_pku_says_so(tmp_path):
    image = build_app(TWO_COMPS, tmp_path)
    assert boot(image, cpu="qemu64") == (4, [
        "ukcompart: error: this CPU has no protection keys "
        "(CPUID.7.0:ECX.PKU=0); boot with -cpu max or configure "
        "UKCOMPART_FCALL"])


def test_a_qemu_that_fails_before_booting_is_not_status_0(tmp_path):
    from ukcompart.qemu import GuestError, boot as qemu_boot

    image = build_app(HELLO, tmp_path)
    with pytest.raises(GuestError) as raised:
        qemu_boot(image, qemu="false", timeout=10)
    assert str(raised.value) == \
        f"false exited with 1 before booting {image}; check QEMU="
