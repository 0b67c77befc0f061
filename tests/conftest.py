"""Shared helpers: running scons on this tree and booting images.

Every test that builds uses its own build directory (``O=``) under
pytest's temporary directory, so tests never touch the examples' own
``build/`` or ``.config`` and can run in any order.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

TREE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TREE / "site_scons"))


def scons(*args, cwd=TREE, check=False, env=None, timeout=600):
    """Run ``scons -Q`` with ``args``; return the CompletedProcess."""
    command = [sys.executable, "-m", "SCons", "-Q", "-C", str(TREE)]
    command += [str(arg) for arg in args]
    full_env = dict(os.environ)
    full_env.update(env or {})
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                          env=full_env, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(
            f"scons {' '.join(map(str, args))} failed ({done.returncode}):\n"
            f"{done.stdout}\n{done.stderr}")
    return done


def error_lines(done):
    """The ``ukcompart:`` lines a failed run printed on stderr."""
    return [line for line in done.stderr.splitlines()
            if line.startswith("ukcompart")]


@pytest.fixture
def tree():
    return TREE


def set_options(config: Path, changes: dict) -> None:
    """Rewrite ``config`` with ``changes`` (``"n"`` unsets a boolean)."""
    lines = config.read_text().splitlines()
    for name, value in changes.items():
        new = f"# {name} is not set" if value == "n" else f"{name}={value}"
        for i, line in enumerate(lines):
            if line.startswith(f"{name}=") or line == f"# {name} is not set":
                lines[i] = new
                break
        else:
            lines.append(new)
    config.write_text("\n".join(lines) + "\n")


FCALL = {"CONFIG_UKCOMPART_MPK": "n", "CONFIG_UKCOMPART_FCALL": "y"}


def build_app(app: Path, build: Path, changes: dict = None) -> Path:
    """Configure ``app`` from its defconfig plus ``changes`` and build it.

    Returns the path of the multiboot image.
    """
    scons(f"UK_APP={app}", f"O={build}", "defconfig", check=True)
    if changes:
        set_options(build / ".config", changes)
    scons(f"UK_APP={app}", f"O={build}", "build", check=True)
    return build / f"{app.name}_qemu-x86_64"


def boot(image: Path, append: str = "", cpu: str = "max"):
    """Boot ``image`` in QEMU; returns (status, console lines)."""
    from ukcompart import qemu

    result = qemu.boot(image, cpu=cpu, append=append, timeout=120)
    return result.status, result.console.splitlines()
