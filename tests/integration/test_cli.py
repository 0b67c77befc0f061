"""The command line: targets, variables, help, cleaning, progress lines."""

import os
import pty
import select
import subprocess
import sys
import time

from conftest import TREE, scons

HELLO = TREE / "examples" / "hello"
TWO_COMPS = TREE / "examples" / "two-comps"


def test_help_lists_every_target_and_variable():
    done = scons("-h")
    assert done.returncode == 0
    for name in ("build", "run", "verify", "menuconfig", "defconfig",
                 "olddefconfig", "savedefconfig"):
        assert f"\n  {name} " in done.stdout, name
    for variable in ("UK_APP", "O", "DEFCONFIG", "V", "APPEND", "QEMU",
                     "QEMU_CPU", "QEMU_TIMEOUT", "CROSS_COMPILE", "UK_ROOT"):
        assert f"\n{variable}: " in done.stdout, variable


def test_build_without_config_says_it_uses_the_defaults(tmp_path):
    done = scons(f"O={tmp_path}", "build")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (
        "ukcompart: no .config: using the default configuration from the "
        f"Kconfig defaults (written to {tmp_path / '.config'})")
    assert (tmp_path / "hello_qemu-x86_64").is_file()
    assert (tmp_path / "hello_qemu-x86_64.dbg").is_file()
    assert (tmp_path / "include" / "uk" / "config.h").is_file()
    assert (tmp_path / "config" / "auto.conf").is_file()


def test_short_progress_lines_name_library_and_file(tmp_path):
    done = scons(f"O={tmp_path}", "build")
    assert "  CC      apphello: examples/hello/main.c" in \
        done.stdout.splitlines()


def test_verbose_prints_full_commands(tmp_path):
    done = scons(f"O={tmp_path}", "V=1", "build")
    lines = done.stdout.splitlines()
    assert any(line.startswith("gcc ") and "examples/hello/main.c" in line
               for line in lines)
    assert not any(line.startswith("  CC ") for line in lines)


def test_parallel_build_gives_the_same_image(tmp_path):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    scons(f"O={serial}", "build", check=True)
    scons(f"O={parallel}", "-j2", "build", check=True)
    image = "hello_qemu-x86_64.dbg"
    from ukcompart.symtab import section_layout
    assert section_layout(serial / image) == section_layout(parallel / image)


def test_clean_removes_the_build_directory(tmp_path):
    build = tmp_path / "out"
    scons(f"O={build}", "build", check=True)
    scons(f"O={build}", "-c", check=True)
    assert sorted(entry.name for entry in build.iterdir()
                  if not entry.name.startswith(".sconsign")) == [".config"]


def test_defconfig_uses_the_apps_defconfig(tmp_path):
    done = scons(f"UK_APP={TWO_COMPS}", f"O={tmp_path}", "defconfig",
                 check=True)
    assert done.stdout.splitlines()[0] == (
        f"ukcompart: wrote {tmp_path / '.config'} from "
        f"{TWO_COMPS / 'defconfig'}")
    config = (tmp_path / ".config").read_text().splitlines()
    assert 'CONFIG_UKCOMPART_COMP2_NAME="vault"' in config
    assert "CONFIG_UKCOMPART_LIB_LIBVAULT=2" in config


def test_defconfig_takes_an_explicit_file(tmp_path):
    defconfig = tmp_path / "my.defconfig"
    defconfig.write_text("CONFIG_UKCOMPART=y\nCONFIG_UKCOMPART_NUM=1\n"
                         "CONFIG_UKCOMPART_LIB_APPHELLO=1\n")
    scons(f"O={tmp_path}", f"DEFCONFIG={defconfig}", "defconfig",
          check=True)
    config = (tmp_path / ".config").read_text().splitlines()
    assert "CONFIG_UKCOMPART_NUM=1" in config
    assert "CONFIG_UKCOMPART_LIB_APPHELLO=1" in config


def test_savedefconfig_writes_only_what_differs(tmp_path):
    scons(f"UK_APP={TWO_COMPS}", f"O={tmp_path}", "defconfig", check=True)
    scons(f"UK_APP={TWO_COMPS}", f"O={tmp_path}", "savedefconfig",
          check=True)
    saved = (tmp_path / "defconfig").read_text().splitlines()
    assert saved == [
        "CONFIG_UKCOMPART=y",
        "CONFIG_UKCOMPART_COMP1_NAME=\"app\"",
        "CONFIG_UKCOMPART_COMP2_NAME=\"vault\"",
        "CONFIG_UKCOMPART_LIB_APPTWOCOMPS=1",
        "CONFIG_UKCOMPART_LIB_LIBVAULT=2",
    ]


def test_olddefconfig_adds_new_options_with_defaults(tmp_path):
    (tmp_path / ".config").write_text("CONFIG_UKCOMPART=y\n")
    scons(f"O={tmp_path}", "olddefconfig", check=True)
    config = (tmp_path / ".config").read_text().splitlines()
    assert "CONFIG_UKCOMPART_NUM=2" in config
    assert "CONFIG_UKCOMPART_MPK=y" in config


def test_one_invocation_configures_builds_and_runs(tmp_path):
    done = scons(f"UK_APP={TWO_COMPS}", f"O={tmp_path}", "defconfig",
                 "build", "run")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "vault says: ok"


def _read_until(fd, needle: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def test_menuconfig_starts_and_saves_under_a_terminal(tmp_path):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.execv(sys.executable, [sys.executable, "-m", "SCons", "-Q", "-C",
                                  str(TREE), f"O={tmp_path}", "menuconfig"])
    status = None
    try:
        screen = _read_until(fd, b"Compartments", 60)
        assert b"Compartments" in screen
        os.write(fd, b"S")
        _read_until(fd, b"Save configuration", 20)
        os.write(fd, b"\r")
        _read_until(fd, b"saved", 20)
        os.write(fd, b"\r")
        time.sleep(0.5)
        os.write(fd, b"Q")
        deadline = time.monotonic() + 30
        while status is None and time.monotonic() < deadline:
            _read_until(fd, b"\xff", 0.5)
            done, code = os.waitpid(pid, os.WNOHANG)
            if done:
                status = code
    finally:
        if status is None:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(fd)
    assert status is not None, "menuconfig did not quit"
    assert os.waitstatus_to_exitcode(status) == 0
    assert "CONFIG_UKCOMPART" in (tmp_path / ".config").read_text()


def test_menuconfig_without_a_terminal_says_so(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "SCons", "-Q", "-C", str(TREE),
         f"O={tmp_path}", "menuconfig"], stdin=subprocess.DEVNULL,
        capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "ukcompart: error: menuconfig needs a terminal (stdin and stdout "
        "must be a tty); use defconfig or edit .config"]
