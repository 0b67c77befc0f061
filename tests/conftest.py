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
