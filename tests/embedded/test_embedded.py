"""Embedded mode: environment, Make's output, linker script, and (with a
Unikraft checkout in $UK_ROOT) configure, build, boot and violate.

Tests marked ``needs_unikraft`` skip, saying why, unless ``UK_ROOT``
names a Unikraft tree; ``UK_APP_HELLOWORLD`` names app-helloworld
(default: ``app-helloworld`` beside the tree).
"""

import os
from pathlib import Path

import pytest

from conftest import TREE, scons

from ukcompart import linkerscript
from ukcompart.embedded import environment, link, make, menus
from ukcompart.model import Compartment, Layout

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "helloworld-mpk.print.txt"
UK_ROOT = os.environ.get("UK_ROOT", "")
needs_unikraft = pytest.mark.skipif(
    not UK_ROOT, reason="set UK_ROOT to a Unikraft checkout to run this")


def _embedding(tmp_path) -> environment.Embedding:
    return environment.Embedding(
        uk_root=Path("/uk"), app=Path("/apps/hello"),
        libs=[Path("/libs/a"), TREE], build=tmp_path / "build",
        dotconfig=tmp_path / "build" / ".config")


def test_environment_sets_every_variable_kconfig_reads(tmp_path):
    env = environment.derive(_embedding(tmp_path),
                             {"UK_VERSION": "0", "UK_SUBVERSION": "17",
                              "UK_EXTRAVERSION": "0",
                              "UK_CODENAME": "Calypso"},
                             "~eaf6fda1", machine="x86_64")
    assert set(environment.REQUIRED) <= set(env)
    assert env["KCONFIG_LIB_BASE"] == "/uk/lib"
    assert env["KCONFIG_DIR"] == str(tmp_path / "build" / "kconfig")
    assert env["KCONFIG_ELIB_DIRS"] == f"/libs/a:{TREE}"
    assert env["KCONFIG_EAPP_DIR"] == "/apps/hello"
    assert env["UK_FULLVERSION"] == "0.17.0~eaf6fda1"
    assert env["UK_NAME"] == "hello"
    assert env["UK_ARCH"] == "x86_64"


def test_environment_takes_name_and_arch_from_dotconfig(tmp_path):
    emb = _embedding(tmp_path)
    emb.dotconfig.parent.mkdir(parents=True)
    emb.dotconfig.write_text('CONFIG_UK_NAME="hw"\nCONFIG_UK_ARCH="arm64"\n')
    env = environment.derive(emb, {"UK_VERSION": "0",
                                   "UK_SUBVERSION": "17"}, "")
    assert (env["UK_NAME"], env["UK_ARCH"]) == ("hw", "arm64")


def test_host_arch_uses_unikraft_spelling():
    assert environment.host_arch("aarch64") == "arm64"
    assert environment.host_arch("x86_64") == "x86_64"


def test_submenu_script_is_reproduced_in_python(tmp_path):
    for name in ("b", "a", "c"):
        (tmp_path / "libs" / name).mkdir(parents=True)
        (tmp_path / "libs" / name / "Config.uk").write_text("")
    out = tmp_path / "libs.uk"
    command = (f"/uk/support/build/config-submenu.sh -q -o '{out}' "
               f"-r '{tmp_path}/libs' -l '{tmp_path}/libs' -c '' "
               f"-e '{tmp_path}/libs/c'")
    assert menus.submenu(command) == str(out)
    assert out.read_text() == (
        "# Auto generated file. DO NOT EDIT\n"
        f"# Skipped excluded \"{tmp_path}/libs/c\"\n"
        f"source \"{tmp_path}/libs/a/Config.uk\"\n"
        f"source \"{tmp_path}/libs/b/Config.uk\"\n")


def test_submenu_with_title_is_a_menu(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Config.uk").write_text("")
    out = tmp_path / "app.uk"
    menus.submenu(f"x/config-submenu.sh -q -o '{out}' -t \"Application "
                  f"Options\" -l '{tmp_path}/app' -e ''")
    assert out.read_text().splitlines()[1:] == [
        'menu "Application Options"',
        f'source "{tmp_path}/app/Config.uk"', "endmenu"]


def test_print_targets_are_parsed_from_recorded_output():
    info = make.split_print_output(FIXTURE.read_text())
    assert info.libs[:3] == ["libukconsole_ns16550", "libkvmplat",
                             "apphelloworld"]
    assert "libukcompart" in info.libs
    assert info.objs["apphelloworld"] == [
        "/BUILD/apphelloworld/main.o",
        "/BUILD/apphelloworld/libinfo.libuklibid.o"]
    assert info.lds["libukboot"] == ["/BUILD/libukboot/earlytab.lds"]
    assert info.plats == ["kvm"]
    assert info.for_plat("kvm", "default_lds") == [
        "/BUILD/libkvmplat/link64.lds"]


def _layout() -> Layout:
    return Layout(enabled=True, mechanism="mpk", compartments=[
        Compartment(0, "core", 0, ["libkvmplat"]),
        Compartment(1, "app", 0x10000, ["apphelloworld"]),
        Compartment(2, "argparse", 0x10000, ["libukargparse"])])


def test_link_line_puts_platform_objects_first_and_adds_our_script():
    info = make.split_print_output(FIXTURE.read_text())
    objects = link.link_objects(info, Path("/BUILD"))
    line = link.command(info, objects, [Path("/BUILD/ukcompart/u.lds")],
                        Path("/BUILD/x.dbg"))
    assert [p.name for p in objects[:3]] == [
        "libukconsole_ns16550.o", "libkvmplat.o", "apphelloworld.o"]
    assert "-Wl,-dT,/BUILD/libkvmplat/link64.lds" in line
    assert line[-3:] == ["-Wl,-T,/BUILD/ukcompart/u.lds", "-o",
                         "/BUILD/x.dbg"]


def test_linker_script_inserts_compartments_after_bss():
    text = link.script(_layout(), {"libkvmplat": "libkvmplat.gated.o",
                                   "apphelloworld": "apphelloworld.gated.o",
                                   "libukargparse": "libukargparse.gated.o"},
                       "/BUILD/libkvmplat/link64.lds")
    assert text.rstrip().endswith("INSERT AFTER .bss;")
    assert "*/apphelloworld.gated.o(.text .text.*)" in text
    assert "} :ukc_comp2" in text
    assert "libkvmplat.gated.o" not in text


def test_descriptor_table_flags_word_is_rendered():
    embedded = linkerscript.descriptors(_layout(),
                                        linkerscript.DESC_XCR0_NO_PKRU)
    standalone = linkerscript.descriptors(_layout())
    assert "\t.long\t0x1\t\t\t/* flags (UKC_DESC_*) */" in embedded
    assert "\t.long\t0x0\t\t\t/* flags (UKC_DESC_*) */" in standalone


def test_build_refuses_uk_libs_without_uk_root():
    done = scons("UK_LIBS=/tmp", "build")
    assert done.returncode == 2
    assert "UK_LIBS= needs UK_ROOT=" in done.stderr


def _hello() -> Path:
    return Path(os.environ.get("UK_APP_HELLOWORLD",
                               Path(UK_ROOT).parent / "app-helloworld"))


def _embedded(app: Path, build: Path, *args, timeout=900):
    return scons(f"UK_ROOT={UK_ROOT}", f"UK_APP={app}", f"O={build}",
                 *args, timeout=timeout)


@needs_unikraft
def test_defconfig_writes_dotconfig_in_build_dir(tmp_path):
    done = _embedded(_hello(), tmp_path, "DEFCONFIG=" + str(
        HERE / "configs" / "helloworld-mpk.defconfig"), "defconfig")
    assert done.returncode == 0, done.stderr
    text = (tmp_path / ".config").read_text()
    assert "CONFIG_UKCOMPART_LIB_APPHELLOWORLD=1" in text
    assert "CONFIG_HAVE_X86PKU=y" in text
    assert "CONFIG_PLAT_KVM=y" in text


@needs_unikraft
def test_plain_helloworld_builds_and_boots(tmp_path):
    _embedded(_hello(), tmp_path, "DEFCONFIG=" + str(
        HERE / "configs" / "helloworld-plain.defconfig"), "defconfig")
    done = _embedded(_hello(), tmp_path, "-j2", "build", "run",
                     "QEMU_TIMEOUT=60")
    assert "Hello world!" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 0


@needs_unikraft
def test_helloworld_in_compartments_boots(tmp_path):
    _embedded(_hello(), tmp_path, "DEFCONFIG=" + str(
        HERE / "configs" / "helloworld-mpk.defconfig"), "defconfig")
    built = _embedded(_hello(), tmp_path, "-j2", "build")
    assert built.returncode == 0, built.stdout + built.stderr
    gates = (tmp_path / "ukcompart" / "gates.txt").read_text()
    assert "libukboot -> apphelloworld main" in gates
    report = (tmp_path / "ukcompart" / "verify.txt").read_text()
    assert report.endswith(" checks passed\n")
    allowed = [line for line in report.splitlines()
               if line.startswith("xrstor-only-in-gates: ")]
    assert len(allowed) == 1 and " ukarch_ectx_load+" in allowed[0]
    assert allowed[0].endswith(" (UKC_DESC_XCR0_NO_PKRU), so it cannot "
                               "load PKRU")
    done = _embedded(_hello(), tmp_path, "run", "QEMU_TIMEOUT=60")
    assert "Hello world!" in done.stdout, done.stdout + done.stderr


@needs_unikraft
def test_write_into_another_compartment_is_reported(tmp_path):
    app = HERE / "apps" / "violation"
    _embedded(app, tmp_path, "defconfig")
    built = _embedded(app, tmp_path, "-j2", "build")
    assert built.returncode == 0, built.stdout + built.stderr
    done = _embedded(app, tmp_path, "run", "QEMU_TIMEOUT=60")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "ukcompart: violation: comp=app access=write" in done.stdout
    assert "owner=victim symbol=victim_secret" in done.stdout
