"""Embedded mode: environment, Make's output, linker script, and (with a
Unikraft checkout in $UK_ROOT) configure, build, boot and violate.

Tests marked ``needs_unikraft`` skip, saying why, unless ``UK_ROOT``
names a Unikraft tree; ``UK_APP_HELLOWORLD`` names app-helloworld
(default: ``app-helloworld`` beside the tree).
"""

import json
import os
import time
from pathlib import Path

import pytest

from conftest import TREE, scons

from ukcompart import linkerscript
from ukcompart.embedded import configuration, environment, link, make, menus
from ukcompart.library import Library
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


def test_linker_script_gives_no_segment_write_and_execute():
    text = link.script(_layout(), {"libkvmplat": "libkvmplat.gated.o",
                                   "apphelloworld": "apphelloworld.gated.o",
                                   "libukargparse": "libukargparse.gated.o"},
                       "/BUILD/libkvmplat/link64.lds")
    phdrs = text[text.index("PHDRS\n{"):text.index("}", text.index("PHDRS"))]
    flags = dict(line.split()[0:3:2] for line in phdrs.splitlines()
                 if "PT_LOAD" in line)
    assert flags == {
        "ukc_gates": "FLAGS(5);", "ukc_desc": "FLAGS(4);",
        "ukc_comp1_code": "FLAGS(5);", "ukc_comp1_data": "FLAGS(6);",
        "ukc_comp1_guard": "FLAGS(0);", "ukc_comp1_stack": "FLAGS(6);",
        "ukc_comp2_code": "FLAGS(5);", "ukc_comp2_data": "FLAGS(6);",
        "ukc_comp2_guard": "FLAGS(0);", "ukc_comp2_stack": "FLAGS(6);",
        "ukc_symtab": "FLAGS(4);"}
    assert "ASSERT(SIZEOF(.comp2.text) + SIZEOF(.comp2.rodata) > 0," in text
    for k in (1, 2):
        for part, segment in (("text", "code"), ("rodata", "code"),
                              ("data", "data"), ("bss", "data"),
                              ("guard", "guard"), ("stack", "stack")):
            section = text.index(f"\t.comp{k}.{part} ")
            assert f"}} :ukc_comp{k}_{segment}\n" in \
                text[section:text.index("\n\t}", section) + 30]


class _Parsed:
    """What ConfigCache.store reads of a parsed kconfiglib.Kconfig."""

    def __init__(self, *files: Path):
        self.kconfig_filenames = [str(f) for f in files]


def _cache_setup(tmp_path):
    emb = _embedding(tmp_path)
    emb.build.mkdir(parents=True)
    emb.dotconfig.write_text("CONFIG_UKCOMPART=y\n")
    menu = tmp_path / "Config.uk"
    menu.write_text("config UKCOMPART\n\tbool\n")
    known = [Library("apphello", tmp_path, "app")]
    resolved = configuration.Resolved(values={"UKCOMPART": "y"},
                                      unrecorded=["UKCOMPART_NUM"],
                                      warnings=["x.uk:1: w"])
    configuration.ConfigCache(emb, {"UK_NAME": "hello"}, known).store(
        _Parsed(menu), resolved)
    return emb, menu, known, resolved


def test_config_cache_answers_while_nothing_changed(tmp_path):
    emb, menu, known, resolved = _cache_setup(tmp_path)
    cache = configuration.ConfigCache(emb, {"UK_NAME": "hello"}, known)
    assert cache.lookup() == resolved
    # Rewritten with the same text, as Make's Kconfig run does with the
    # generated menus: still valid.
    os.utime(menu, ns=(1, 1))
    assert cache.lookup() == resolved


@pytest.mark.parametrize("change", ["config", "menu", "env", "libraries",
                                    "corrupt", "gone", "shape"])
def test_config_cache_misses_when_an_input_changed(tmp_path, change):
    emb, menu, known, resolved = _cache_setup(tmp_path)
    env = {"UK_NAME": "hello"}
    if change == "config":
        emb.dotconfig.write_text("CONFIG_UKCOMPART=n\n")
    elif change == "menu":
        menu.write_text("config UKCOMPART\n\tbool\n\tdefault y\n")
    elif change == "env":
        env = {"UK_NAME": "other"}
    elif change == "libraries":
        known = known + [Library("libfoo", tmp_path, "lib")]
    elif change == "corrupt":
        (emb.build / "ukcompart" / "config.json").write_text("{")
    elif change == "gone":
        menu.unlink()
    elif change == "shape":
        cache = emb.build / "ukcompart" / "config.json"
        data = json.loads(cache.read_text())
        data["resolved"]["values"] = ["UKCOMPART"]
        cache.write_text(json.dumps(data))
    assert configuration.ConfigCache(emb, env, known).lookup() is None


def test_make_stamp_follows_makefiles_dependencies_and_config(tmp_path):
    emb = _embedding(tmp_path)
    emb.uk_root = tmp_path / "uk"
    (emb.uk_root / "support" / "build").mkdir(parents=True)
    (emb.uk_root / "support" / "build" / "Makefile.rules").write_text("")
    lib = emb.build / "libfoo"
    lib.mkdir(parents=True)
    emb.dotconfig.write_text("CONFIG_X=y\n")
    header = tmp_path / "foo.h"
    header.write_text("")
    makefile_uk = tmp_path / "Makefile.uk"
    makefile_uk.write_text("")
    (lib / "foo.o.d").write_text(f"{lib}/foo.o: {tmp_path}/foo.c \\\n"
                                 f" {header}\n")
    (tmp_path / "foo.c").write_text("")
    output = emb.build / "libfoo.o"
    output.write_text("")
    stamp = make.Stamp(emb)
    assert make.dependency_files(emb.build) == [f"{lib}/foo.o",
                                                f"{tmp_path}/foo.c",
                                                str(header)]

    def record():
        # As if Make started a second after these files were written.
        stamp.record([str(makefile_uk)], [output], time.time_ns() + 10**9,
                     stamp.config_digest())

    record()
    assert stamp.current()
    for touched in (header, makefile_uk, output, emb.dotconfig):
        record()
        os.utime(touched, ns=(1, 1))
        if touched == emb.dotconfig:
            emb.dotconfig.write_text("CONFIG_X=n\n")
        assert not stamp.current(), touched


@pytest.mark.parametrize("section,kind", [
    (".uk_inittab20", "table"), (".uk_ctortab1", "table"),
    (".uk_event_trap_page_fault~", "table"), (".uk_boot_earlytab3", "table"),
    (".uk_libinfo", "table"), (".text.uk_bus_lib_init", "text"),
    (".data.uk_bus_list", "data")])
def test_unikraft_registration_sections_count_as_the_cores_tables(section,
                                                                   kind):
    from ukcompart.verify.symbols import input_kind

    assert input_kind(section) == kind


def test_make_stamp_distrusts_inputs_changed_while_make_ran(tmp_path):
    emb = _embedding(tmp_path)
    emb.uk_root = tmp_path / "uk"
    (emb.uk_root / "support" / "build").mkdir(parents=True)
    emb.build.mkdir(parents=True)
    emb.dotconfig.write_text("CONFIG_X=y\n")
    source = tmp_path / "main.c"
    generated = emb.build / "libid.h"
    (emb.build / "main.o.d").write_text(
        f"main.o: {source} {generated} $(wildcard include/config/x.h)\n")
    started = time.time_ns()
    source.write_text("edited after Make read it\n")
    generated.write_text("written by Make\n")
    stamp = make.Stamp(emb)
    assert make.dependency_files(emb.build) == [str(generated), str(source)]
    stamp.record([], [], started, stamp.config_digest())
    assert not stamp.current()
    stamp.record([], [], time.time_ns() + 10**9, stamp.config_digest())
    assert stamp.current()


@pytest.mark.parametrize("text", ["[]", '{"config": "", "files": []}',
                                  '{"config": "", "files": {}, "outputs": 3}'])
def test_make_stamp_of_the_wrong_shape_is_not_current(tmp_path, text):
    emb = _embedding(tmp_path)
    emb.build.mkdir(parents=True)
    stamp = make.Stamp(emb)
    stamp.path.parent.mkdir(parents=True)
    stamp.path.write_text(text)
    assert not stamp.current()


def test_make_header_is_stale_by_makes_rules(tmp_path):
    emb = _embedding(tmp_path)
    header = configuration.make_header(emb)
    header.parent.mkdir(parents=True)
    emb.dotconfig.write_text("CONFIG_X=y\n")
    assert configuration.make_outputs_stale(emb)        # no copy, no header
    (emb.build / "config").write_text("CONFIG_X=y\n")
    header.write_text("#define CONFIG_X 1\n")
    assert not configuration.make_outputs_stale(emb)
    os.utime(emb.dotconfig, ns=(time.time_ns() + 10**9,) * 2)
    assert not configuration.make_outputs_stale(emb)    # only touched
    emb.dotconfig.write_text("CONFIG_X=n\n")
    assert configuration.make_outputs_stale(emb)        # changed
    emb.dotconfig.write_text("CONFIG_X=y\n")
    os.utime(header, ns=(1, 1))
    assert configuration.make_outputs_stale(emb)        # older than copy
    header.unlink()
    assert configuration.make_outputs_stale(emb)


def test_unreadable_make_answer_asks_make_again(tmp_path, monkeypatch):
    emb = _embedding(tmp_path)
    emb.uk_root = tmp_path / "uk"
    (emb.uk_root / "support" / "build").mkdir(parents=True)
    emb.build.mkdir(parents=True)
    emb.dotconfig.write_text("CONFIG_X=y\n")
    stamp = make.Stamp(emb)
    stamp.record([], [], time.time_ns(), stamp.config_digest())
    make.info_path(emb).write_text("{not json")
    answer = make.MakeInfo(libs=["libkvmplat"], objs={}, lds={},
                           link={"plats": "kvm"})
    calls = []
    monkeypatch.setattr(make, "build", lambda *args, **kwargs:
                        calls.append(args) or answer)
    assert make.ensure_built(emb, 1, False) == answer
    assert len(calls) == 1
    assert make.MakeInfo.from_json(make.info_path(emb).read_text()) == answer


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
    # Unikraft's Kconfig tools, which its Make runs before compiling, are
    # built here, as Unikraft's own defconfig builds them.
    assert (tmp_path / "kconfig" / "conf").is_file()
    assert (tmp_path / "kconfig" / "fixdep").is_file()


@needs_unikraft
def test_configuration_header_is_the_one_unikrafts_conf_writes(tmp_path):
    """defconfig writes config.h with kconfiglib; Unikraft's own
    ``make syncconfig`` (conf) then writes the same definitions."""
    import subprocess

    done = _embedded(_hello(), tmp_path, "DEFCONFIG=" + str(
        HERE / "configs" / "helloworld-mpk.defconfig"), "defconfig")
    assert done.returncode == 0, done.stderr
    header = tmp_path / "include" / "uk" / "bits" / "config.h"
    ours = header.read_text()
    assert "#define CONFIG_UKCOMPART_MPK 1\n" in ours
    env = dict(os.environ, UKCOMPART_KCONFIG_DIR=str(tmp_path / "kconfig"))
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(name, None)
    synced = subprocess.run(
        ["make", "-C", UK_ROOT, f"A={_hello()}", f"L={TREE}",
         f"O={tmp_path}", f"C={tmp_path}/.config", "syncconfig"],
        capture_output=True, text=True, env=env, timeout=300)
    assert synced.returncode == 0, synced.stdout + synced.stderr

    def definitions(text):
        return sorted(line for line in text.splitlines()
                      if line.startswith("#define "))

    assert definitions(header.read_text()) == definitions(ours)


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
    config = (tmp_path / ".config").read_text()
    built = _embedded(_hello(), tmp_path, "-j2", "build")
    assert built.returncode == 0, built.stdout + built.stderr
    assert "MAKE    kconfig" not in built.stdout
    # Make found its configuration header up to date: conf did not run.
    assert "  GEN     config.h" not in built.stdout
    # Make's Kconfig run rewrote .config with the very same text.
    assert (tmp_path / ".config").read_text() == config
    again = _embedded(_hello(), tmp_path, "build")
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout == "scons: `build' is up to date.\n"
    _assert_no_writable_code(tmp_path / "helloworld_qemu-x86_64.dbg")
    gates = (tmp_path / "ukcompart" / "gates.txt").read_text()
    assert "libukboot -> apphelloworld main" in gates
    report = (tmp_path / "ukcompart" / "verify.txt").read_text()
    assert report.endswith(" checks passed\n")
    allowed = [line for line in report.splitlines()
               if line.startswith("xrstor-only-in-gates: ")]
    assert len(allowed) == 1 and " ukarch_ectx_load+" in allowed[0]
    assert allowed[0].endswith(" (UKC_DESC_XCR0_NO_PKRU), so it cannot "
                               "load PKRU")
    _assert_guard_segment_must_grant_nothing(tmp_path)
    done = _embedded(_hello(), tmp_path, "run", "QEMU_TIMEOUT=60")
    assert "Hello world!" in done.stdout, done.stdout + done.stderr
    # The guard pages are reserved: Unikraft's allocator is not offered
    # them (it used to say "Failed to add memory region" for each).
    assert "ERR:" not in done.stdout

    # libukbus registers an init function (.uk_inittab20): moved into the
    # argparse compartment, its entry stays in the core's init table, the
    # image verifies and boots.
    dotconfig = tmp_path / ".config"
    dotconfig.write_text(dotconfig.read_text().replace(
        "CONFIG_UKCOMPART_LIB_LIBUKBUS=0", "CONFIG_UKCOMPART_LIB_LIBUKBUS=2"))
    moved = _embedded(_hello(), tmp_path, "-j2", "build", "run",
                      "QEMU_TIMEOUT=60")
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert "Hello world!" in moved.stdout
    gates = (tmp_path / "ukcompart" / "gates.txt").read_text()
    assert "libukbus -> libukdebug _uk_printk" in gates


def _assert_guard_segment_must_grant_nothing(build: Path) -> None:
    """The reserved guard page's segment, made readable and writable in a
    copy of the image, fails stack-guard with the exact message."""
    from ukcompart.verify import image as elfimage
    from ukcompart.verify import verify

    original = build / "helloworld_qemu-x86_64.dbg"
    elf = elfimage.load(original)
    guard = elf.section(".comp1.guard")
    assert guard is not None and guard.nobits and guard.size == 4096
    data = bytearray(original.read_bytes())
    phoff = int.from_bytes(data[32:40], "little")
    for i in range(int.from_bytes(data[56:58], "little")):
        at = phoff + 56 * i
        if int.from_bytes(data[at + 16:at + 24], "little") == guard.addr:
            assert int.from_bytes(data[at + 4:at + 8], "little") == 0
            data[at + 4:at + 8] = (6).to_bytes(4, "little")
    mutated = build / "mutated.dbg"
    mutated.write_bytes(bytes(data))
    report = verify(mutated, build / ".config",
                    build / "ukcompart" / "layout.json")
    failed = [c for c in report.checks if c.failures]
    assert [c.name for c in failed] == ["stack-guard"]
    assert [str(f) for f in failed[0].failures] == [
        f".comp1.stack {guard.addr:#x} __ukc_comp1_guard_start: the guard "
        f"page [{guard.addr:#x}, {guard.end:#x}) below .comp1.stack lies in "
        f"the PT_LOAD segment [{guard.addr:#x}, {guard.end:#x}), so it "
        "would be loaded and mapped"]


def _assert_no_writable_code(image: Path) -> None:
    from elftools.elf.constants import P_FLAGS
    from elftools.elf.elffile import ELFFile

    with open(image, "rb") as f:
        wx = [(seg["p_vaddr"], seg["p_flags"])
              for seg in ELFFile(f).iter_segments()
              if seg["p_type"] == "PT_LOAD" and seg["p_flags"] & P_FLAGS.PF_W
              and seg["p_flags"] & P_FLAGS.PF_X]
    assert wx == []


@needs_unikraft
def test_kconfig_change_reaches_the_header_and_sources(tmp_path):
    """An option added to the app's Config.uk, .config untouched: the
    build resolves it to its default, and the C code sees that value."""
    import shutil

    app = tmp_path / "app"
    shutil.copytree(HERE / "apps" / "violation", app)
    build = tmp_path / "build"
    assert _embedded(app, build, "defconfig").returncode == 0
    assert _embedded(app, build, "-j2", "build").returncode == 0
    with open(app / "Config.uk", "a") as f:
        f.write("\nconfig APPVIOLATION_ANSWER\n\tint\n\tdefault 4242\n")
    main = app / "main.c"
    main.write_text(main.read_text().replace(
        'printf("writing to it', 'printf("answer %d\\n", '
        'CONFIG_APPVIOLATION_ANSWER);\n\tprintf("writing to it'))
    built = _embedded(app, build, "-j2", "build")
    assert built.returncode == 0, built.stdout + built.stderr
    header = (build / "include" / "uk" / "bits" / "config.h").read_text()
    assert "#define CONFIG_APPVIOLATION_ANSWER 4242\n" in header
    done = _embedded(app, build, "run", "QEMU_TIMEOUT=60")
    assert "answer 4242" in done.stdout, done.stdout + done.stderr


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
