"""Bad input to the configuration step: one clear line, status 2.

Each case builds a small app (or a broken .config) in a temporary
directory and runs scons on it; nothing is compiled before the error.
"""

from pathlib import Path

import pytest

from conftest import TREE, scons


def make_app(root: Path, config_uk: str = "config APPDEMO\n\tbool\n"
             "\tdefault y\n\thelp\n\t  Demo.\n") -> Path:
    app = root / "demo"
    app.mkdir()
    (app / "Config.uk").write_text(config_uk)
    (app / "Makefile.uk").write_text(
        "$(eval $(call addlib,appdemo))\n"
        "APPDEMO_SRCS-y += $(APPDEMO_BASE)/main.c\n")
    (app / "main.c").write_text("int main(void) { return 0; }\n")
    return app


def assert_one_error(done, line: str) -> None:
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [line]


def test_app_without_config_uk(tmp_path):
    app = make_app(tmp_path)
    (app / "Config.uk").unlink()
    done = scons(f"UK_APP={app}", f"O={tmp_path / 'build'}", "build")
    assert_one_error(done, f"ukcompart: error: UK_APP={app}: not an app "
                     "directory (needs Config.uk and Makefile.uk)")


def test_library_without_config_uk(tmp_path):
    app = make_app(tmp_path)
    (app / "sub").mkdir()
    (app / "sub" / "Makefile.uk").write_text(
        "$(eval $(call addlib_s,libsub,$(CONFIG_LIBSUB)))\n")
    done = scons(f"UK_APP={app}", f"O={tmp_path / 'build'}", "build")
    assert_one_error(done, f"ukcompart: error: {app / 'sub'}: has "
                     "Makefile.uk but no Config.uk; every library needs both")


def test_kconfig_syntax_error_names_file_and_line(tmp_path):
    app = make_app(tmp_path, "config APPDEMO\n\tbool\n\tdefualt y\n")
    done = scons(f"UK_APP={app}", f"O={tmp_path / 'build'}", "build")
    assert_one_error(done, f"ukcompart: error: {app / 'Config.uk'}:3: "
                     "couldn't parse 'defualt y': syntax "
                     "error")


def test_dotconfig_with_unknown_symbol(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    (build / ".config").write_text("CONFIG_PLAT_QEMU_X86_64=y\n"
                                   "CONFIG_NO_SUCH_OPTION=y\n")
    done = scons(f"O={build}", "build")
    assert_one_error(done, f"ukcompart: error: {build / '.config'}:2: "
                     "CONFIG_NO_SUCH_OPTION=y: no such option in this tree; "
                     "remove the line or run 'scons olddefconfig'")


def test_dotconfig_with_garbage_line(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    (build / ".config").write_text("CONFIG_PLAT_QEMU_X86_64=y\nhello\n")
    done = scons(f"O={build}", "build")
    assert_one_error(done, f"ukcompart: error: {build / '.config'}:2: "
                     "'hello' is not a .config line (expected "
                     "CONFIG_NAME=value); fix it or run 'scons defconfig'")


def test_missing_compiler(tmp_path):
    done = scons(f"O={tmp_path / 'build'}", "CROSS_COMPILE=no-such-",
                 "build")
    assert_one_error(done, "ukcompart: error: no-such-gcc not found (CC); "
                     "install gcc and binutils (Debian: apt-get install gcc "
                     "binutils) or set CROSS_COMPILE")


def test_missing_qemu(tmp_path):
    done = scons(f"O={tmp_path / 'build'}", "QEMU=no-such-qemu", "run")
    assert_one_error(done, "ukcompart: error: no-such-qemu not found (QEMU); "
                     "install QEMU (Debian: apt-get install qemu-system-x86) "
                     "or set QEMU=")


def test_unknown_variable(tmp_path):
    done = scons(f"O={tmp_path / 'build'}", "UKAPP=examples/hello", "build")
    assert_one_error(done, "ukcompart: error: unknown variable UKAPP=; "
                     "'scons -h' lists the variables")


def test_missing_defconfig_file(tmp_path):
    done = scons(f"O={tmp_path / 'build'}",
                 f"DEFCONFIG={tmp_path / 'nope'}", "defconfig")
    assert_one_error(done, f"ukcompart: error: {tmp_path / 'nope'}: no such "
                     "defconfig file; check DEFCONFIG=")


TWO_COMPS = TREE / "examples" / "two-comps"


@pytest.mark.parametrize("change, line", [
    ({"CONFIG_UKCOMPART_NUM": "15"},
     "{config}:3: CONFIG_UKCOMPART_NUM=15 is outside its range 1..14 (16 "
     "protection keys: 0 is the core, 15 the shared region), defined at "
     "Config.uk:44; fix the value in 'scons menuconfig' or the file"),
    ({"CONFIG_UKCOMPART_LIB_LIBVAULT": "3"},
     "CONFIG_UKCOMPART_LIB_LIBVAULT=3 places libvault in compartment 3, but "
     "CONFIG_UKCOMPART_NUM=2; use 0 to 2 or raise CONFIG_UKCOMPART_NUM"),
    ({"CONFIG_UKCOMPART_COMP2_NAME": "\"app\""},
     "CONFIG_UKCOMPART_COMP1_NAME and CONFIG_UKCOMPART_COMP2_NAME are both "
     "\"app\": give each compartment its own name"),
    ({"CONFIG_UKCOMPART_LIB_LIBVAULT": "1"},
     "compartment 2 (CONFIG_UKCOMPART_COMP2_NAME=\"vault\") has no library: "
     "set some CONFIG_UKCOMPART_LIB_<LIB>=2 or lower CONFIG_UKCOMPART_NUM"),
    ({"CONFIG_UKCOMPART_COMP1_STACK_SIZE": "0x1234"},
     "CONFIG_UKCOMPART_COMP1_STACK_SIZE=0x1234 is not a positive multiple "
     "of 0x1000 (4 KiB): stacks are whole pages"),
    ({"CONFIG_UKCOMPART_COMP1_NAME": "\"core\""},
     "CONFIG_UKCOMPART_COMP1_NAME=\"core\": a compartment name is letters, "
     "digits and '_', not starting with a digit, at most 31 characters, and "
     "not 'core' or 'shared'"),
    ({"CONFIG_UKCOMPART_COMP2_STACK_SIZE": "0x40000000"},
     "CONFIG_UKCOMPART_COMP2_STACK_SIZE=0x40000000 is larger than 0x1000000 "
     "(16 MiB), the most a compartment stack may take of the 128 MiB the "
     "image may span"),
])
def test_impossible_layouts_name_the_option(tmp_path, change, line):
    build = tmp_path / "build"
    build.mkdir()
    lines = (TWO_COMPS / "defconfig").read_text().splitlines()
    values = dict(entry.split("=", 1) for entry in lines)
    values.update(change)
    config = build / ".config"
    config.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    done = scons(f"UK_APP={TWO_COMPS}", f"O={build}", "build")
    assert_one_error(done, "ukcompart: error: " + line.format(
        config=config, tree=TREE))


def test_build_never_rewrites_an_existing_config(tmp_path):
    config = tmp_path / ".config"
    config.write_text("CONFIG_UKCOMPART=y\nCONFIG_UKCOMPART_NUM=1\n"
                      "CONFIG_UKCOMPART_LIB_APPHELLO=1\n# a note\n")
    before = config.read_text()
    done = scons(f"O={tmp_path}", "build")
    assert done.returncode == 0, done.stderr
    assert config.read_text() == before
    assert done.stdout.splitlines()[0].startswith(
        f"ukcompart: {config} does not set ")


def test_olddefconfig_drops_unknown_options(tmp_path):
    (tmp_path / ".config").write_text("CONFIG_NO_SUCH_OPTION=y\n")
    done = scons(f"O={tmp_path}", "olddefconfig")
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == \
        "ukcompart: dropped CONFIG_NO_SUCH_OPTION: no such option in this tree"
    assert "NO_SUCH_OPTION" not in (tmp_path / ".config").read_text()


def test_binary_config_is_one_error(tmp_path):
    (tmp_path / ".config").write_bytes(b"\xff\xfe junk\n")
    done = scons(f"O={tmp_path}", "build")
    assert_one_error(done, f"ukcompart: error: {tmp_path / '.config'}: not a "
                     "text file (a .config is UTF-8 text); fix it or run "
                     "'scons defconfig'")


def test_config_that_is_a_directory_is_one_error(tmp_path):
    (tmp_path / ".config").mkdir()
    done = scons(f"O={tmp_path}", "build")
    assert_one_error(done, f"ukcompart: error: {tmp_path / '.config'}: is a "
                     "directory, not a configuration file; remove it or run "
                     "'scons defconfig'")


def test_bad_library_name_is_blamed_on_its_makefile(tmp_path):
    app = make_app(tmp_path)
    (app / "Makefile.uk").write_text("$(eval $(call addlib,app-demo))\n")
    done = scons(f"UK_APP={app}", f"O={tmp_path / 'build'}", "build")
    assert_one_error(done, f"ukcompart: error: {app / 'Makefile.uk'}:1: "
                     "library name 'app-demo': use letters, digits and '_' "
                     "(it becomes part of Make and Kconfig names)")


def test_app_path_with_a_space_is_refused(tmp_path):
    root = tmp_path / "my apps"
    root.mkdir()
    app = make_app(root)
    done = scons(f"UK_APP={app}", f"O={tmp_path / 'build'}", "build")
    assert_one_error(done, f"ukcompart: error: UK_APP={app}: the path "
                     "contains white space, which Make-format files "
                     "(Makefile.uk) split into words; move the app to a path "
                     "without spaces")


def test_bad_boolean_variable_is_one_error(tmp_path):
    done = scons(f"O={tmp_path}", "V=maybe", "build")
    assert_one_error(done, "ukcompart: error: Error converting option: 'V': "
                     "Invalid value for boolean variable: 'maybe'; 'scons -h' "
                     "lists the variables")


def test_generated_files_follow_the_umask(tmp_path):
    scons(f"O={tmp_path}", "defconfig", check=True)
    assert (tmp_path / ".config").stat().st_mode & 0o777 == 0o644
