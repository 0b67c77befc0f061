"""Hardening options: compile flags of one compartment, evidence in code.

A change of one compartment's hardening recompiles that compartment's
libraries and nothing else (SCons's ``  CC      <lib>: <file>`` lines),
and the verifier's ``hardening-applied`` check finds the evidence of
exactly the options chosen.
"""

import json

import pytest

from conftest import TREE, build_app, scons, set_options

TWO_COMPS = TREE / "examples" / "two-comps"
HARDENING = TREE / "tests" / "apps" / "hardening"


def compiled(stdout):
    return sorted(line.split(None, 1)[1] for line in stdout.splitlines()
                  if line.startswith("  CC "))


def hardening_failures(build):
    from ukcompart.verify import config, hardening

    image = next(build.glob("*_qemu-x86_64.dbg"))
    layout = json.loads((build / "ukcompart" / "layout.json").read_text())
    return [str(f) for f in hardening.check(
        image, layout, config._values(build / ".config"))]


@pytest.mark.parametrize("changes", [
    {"CONFIG_UKCOMPART_COMP1_STACKPROT_NONE": "n",
     "CONFIG_UKCOMPART_COMP1_STACKPROT_STRONG": "y"},
    {"CONFIG_UKCOMPART_COMP1_UBSAN": "y"},
    {"CONFIG_UKCOMPART_COMP1_CFPROT": "y"}])
def test_hardening_one_compartment_recompiles_only_its_libraries(tmp_path,
                                                                 changes):
    build_app(TWO_COMPS, tmp_path)
    set_options(tmp_path / ".config", changes)
    done = scons(f"UK_APP={TWO_COMPS}", f"O={tmp_path}", "build",
                 check=True)
    assert compiled(done.stdout) == \
        ["apptwocomps: examples/two-comps/main.c"]
    assert hardening_failures(tmp_path) == []


def test_moving_a_library_to_a_hardened_compartment_recompiles_it(tmp_path):
    build_app(TWO_COMPS, tmp_path,
              {"CONFIG_UKCOMPART_COMP2_UBSAN": "y"})
    set_options(tmp_path / ".config",
                {"CONFIG_UKCOMPART_LIB_LIBUKCONSOLE": "2"})
    done = scons(f"UK_APP={TWO_COMPS}", f"O={tmp_path}", "build",
                 check=True)
    assert compiled(done.stdout) == ["libukconsole: lib/ukconsole/printf.c",
                                     "libukconsole: lib/ukconsole/string.c"]
    assert hardening_failures(tmp_path) == []


def test_canary_is_the_compartments_own_in_its_data(tmp_path):
    from elftools.elf.elffile import ELFFile

    build_app(HARDENING, tmp_path)
    with open(tmp_path / "hardening_qemu-x86_64.dbg", "rb") as f:
        elf = ELFFile(f)
        symtab = elf.get_section_by_name(".symtab")
        guard = symtab.get_symbol_by_name("__ukc_stack_chk_guard_2")[0]
        data = elf.get_section_by_name(".comp2.data")
        assert data["sh_addr"] <= guard["st_value"] < \
            data["sh_addr"] + data["sh_size"]
        assert symtab.get_symbol_by_name("__ukc_stack_chk_guard_1") is None
        assert symtab.get_symbol_by_name("__stack_chk_guard") is None
    assert hardening_failures(tmp_path) == []


def test_check_fails_when_the_image_lacks_the_configured_hardening(tmp_path):
    build_app(HARDENING, tmp_path)
    set_options(tmp_path / ".config",
                {"CONFIG_UKCOMPART_COMP1_CFPROT": "y"})
    failures = hardening_failures(tmp_path)
    assert any(f.endswith("tests/apps/hardening/main.c was compiled with "
                          "landing pads off, but compartment 1 is "
                          "configured with on") for f in failures)
    assert any(f.endswith("main: landing pads configured, but this "
                          "function does not start with ENDBR64")
               for f in failures)


def test_check_fails_when_the_image_has_hardening_not_configured(tmp_path):
    build_app(HARDENING, tmp_path)
    set_options(tmp_path / ".config",
                {"CONFIG_UKCOMPART_COMP2_UBSAN": "n"})
    failures = hardening_failures(tmp_path)
    assert any("buggy_add: UD2 behind a conditional jump" in f
               for f in failures)
