"""What a configuration change rebuilds, read from SCons's own output."""

from conftest import TREE, build_app, scons, set_options

GATECALLS = TREE / "tests" / "apps" / "gatecalls"
# With the console library in the callee's compartment, its own call into
# the platform crosses into the core.
EXPECTED_NEW_GATES = ["libukconsole -> libqemuplat ukplat_console_write"]


def compiled(stdout):
    return [line.split()[-1] for line in stdout.splitlines()
            if line.strip().startswith("CC ")]


def test_noop_build_does_nothing(tmp_path):
    build_app(GATECALLS, tmp_path)
    done = scons(f"UK_APP={GATECALLS}", f"O={tmp_path}", "build", check=True)
    assert done.stdout.splitlines() == ["scons: `build' is up to date."]


def test_moving_a_library_regenerates_gates_and_compiles_nothing(tmp_path):
    build_app(GATECALLS, tmp_path)
    gates_txt = tmp_path / "ukcompart" / "gates.txt"
    before = gates_txt.read_text().splitlines()

    set_options(tmp_path / ".config",
                {"CONFIG_UKCOMPART_LIB_LIBUKCONSOLE": "2"})
    done = scons(f"UK_APP={GATECALLS}", f"O={tmp_path}", "build", check=True)

    assert compiled(done.stdout) == []
    after = gates_txt.read_text().splitlines()
    assert sorted(set(before) - set(after)) == []
    assert sorted(set(after) - set(before)) == EXPECTED_NEW_GATES
