"""Per-compartment hardening acts at run time, and only where chosen.

tests/apps/hardening puts its driver in compartment "app" (never
hardened here) and its bugs in compartment "buggy".  The defconfig gives
"buggy" the strong stack protector, undefined-behaviour checks in trap
mode and landing pads; the plain image turns all three off.
"""

import re

import pytest

from conftest import TREE, boot, build_app

HARDENING = TREE / "tests" / "apps" / "hardening"
PLAIN = {"CONFIG_UKCOMPART_COMP2_STACKPROT_STRONG": "n",
         "CONFIG_UKCOMPART_COMP2_STACKPROT_NONE": "y",
         "CONFIG_UKCOMPART_COMP2_UBSAN": "n",
         "CONFIG_UKCOMPART_COMP2_CFPROT": "n"}
INT_MAX = 2147483647


@pytest.fixture(scope="module")
def hardened(tmp_path_factory):
    return build_app(HARDENING, tmp_path_factory.mktemp("hardened"))


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    return build_app(HARDENING, tmp_path_factory.mktemp("plain"), PLAIN)


def report_fields(line, kind):
    prefix = f"ukcompart: {kind}: "
    assert line.startswith(prefix), line
    return dict(field.split("=", 1) for field in line[len(prefix):].split())


def function_range(image, name):
    """[start, end) of function ``name`` in the image's symbol table."""
    from elftools.elf.elffile import ELFFile

    with open(f"{image}.dbg", "rb") as f:
        symtab = ELFFile(f).get_section_by_name(".symtab")
        sym = symtab.get_symbol_by_name(name)[0]
        return sym["st_value"], sym["st_value"] + sym["st_size"]


def test_a_small_copy_returns_normally_either_way(hardened, plain):
    assert boot(hardened, "smash 16") == (0, ["smash returned: 65"])
    assert boot(plain, "smash 16") == (0, ["smash returned: 65"])


@pytest.mark.parametrize("length", [24, 40])
def test_stack_protector_catches_the_overflow(hardened, length):
    status, lines = boot(hardened, f"smash {length}")
    assert status == 5
    assert len(lines) == 1
    fields = report_fields(lines[0], "stack smashing detected")
    assert (fields["comp"], fields["symbol"]) == ("buggy", "buggy_smash")
    start, end = function_range(hardened, "buggy_smash")
    assert start <= int(fields["rip"], 16) < end


def test_without_it_a_short_overflow_goes_unnoticed(plain):
    assert boot(plain, "smash 24") == (0, ["smash returned: 65"])


def test_without_it_a_long_overflow_returns_into_the_copied_bytes(plain):
    assert boot(plain, "smash 40") == (125, [
        "ukplat: fatal exception: vector=13 #GP (general protection) "
        "error=0x0 rip=0x4141414141414141 cr2=0x0"])


@pytest.mark.parametrize("case, symbol", [
    (f"add {INT_MAX} 1", "buggy_add"),
    ("shift 1 40", "buggy_shift")])
def test_undefined_behaviour_traps_where_checked(hardened, case, symbol):
    status, lines = boot(hardened, f"{case} buggy")
    assert status == 6
    assert len(lines) == 1
    fields = report_fields(lines[0], "undefined behaviour trap")
    assert fields["comp"] == "buggy"
    # The check may sit in the function's cold part (buggy_shift.cold).
    assert fields["symbol"].split(".")[0] == symbol
    assert re.fullmatch(r"0x[0-9a-f]+", fields["rip"])


@pytest.mark.parametrize("case, printed", [
    (f"add {INT_MAX} 1", "add: -2147483648"),
    ("shift 1 40", "shift: 256")])
def test_undefined_behaviour_runs_on_where_unchecked(hardened, plain, case,
                                                     printed):
    # x86 wraps the sum and masks the shift count to 5 bits: 1 << 8.
    assert boot(hardened, f"{case} app") == (0, [printed])
    assert boot(plain, f"{case} buggy") == (0, [printed])
