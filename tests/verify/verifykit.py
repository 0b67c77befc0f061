"""Images for the verifier tests: built once, copied, patched.

``base()`` is the correct synthetic two-compartment image
(:mod:`synthimage`); ``variant()`` relinks it with a change, reusing its
prelinked objects; ``copy_of()`` gives a test its own copy to patch.
``two_comps()`` is examples/two-comps built by the real pipeline.  Every
image lives under one temporary directory removed at exit.
"""

import atexit
import functools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import synthimage
from synthimage import ROOT, Synth

sys.path.insert(0, str(ROOT / "site_scons"))

from ukcompart.verify import image as elfimage  # noqa: E402

SCRIPT = ROOT / "support" / "scripts" / "ukcompart-verify"
_WORK = Path(tempfile.mkdtemp(prefix="ukc-verify-tests-"))
atexit.register(shutil.rmtree, _WORK, True)


@functools.lru_cache(maxsize=None)
def base(mechanism: str = "mpk") -> Synth:
    return synthimage.build(_WORK / f"base-{mechanism}", mechanism=mechanism)


def variant(name: str, **changes) -> Synth:
    """The base image relinked with ``changes`` (see synthimage.build)."""
    original = base()
    prelinked = {lib: original.build / f"{lib}.o"
                 for lib in original.objects}
    rebuild = changes.pop("rebuild", ())
    prelinked = {lib: path for lib, path in prelinked.items()
                 if lib not in rebuild}
    libraries = changes.pop("libraries", None)
    return synthimage.build(_WORK / name, libraries=libraries,
                            prelinked=prelinked, **changes)


def copy_of(synth: Synth, dest: Path) -> Synth:
    """A copy of a whole build directory, for a test to damage."""
    shutil.copytree(synth.build, dest)

    def moved(path: Path) -> Path:
        return dest / path.relative_to(synth.build)

    return Synth(build=dest, image=moved(synth.image),
                 config=moved(synth.config), layout=moved(synth.layout),
                 script=moved(synth.script),
                 objects={lib: moved(p) for lib, p in synth.objects.items()})


def symbol(path: Path, name: str) -> int:
    """The address of symbol ``name`` in the image at ``path``."""
    elf = elfimage.load(path)
    return next(s.value for s in elf.symbols if s.name == name)


def section(path: Path, name: str) -> elfimage.Section:
    return elfimage.load(path).section(name)


def patch(path: Path, addr: int, data: bytes) -> None:
    """Overwrite the bytes at virtual address ``addr`` of an image."""
    elf = elfimage.load(path)
    home = next(s for s in elf.sections
                if s.alloc and not s.nobits and s.addr <= addr < s.end)
    offset = home.offset + addr - home.addr
    raw = bytearray(path.read_bytes())
    raw[offset:offset + len(data)] = data
    path.write_bytes(bytes(raw))


@functools.lru_cache(maxsize=None)
def two_comps() -> Path:
    """examples/two-comps built with scons: its build directory."""
    build = _WORK / "two-comps"
    command = [sys.executable, "-m", "SCons", "-Q", "-C", str(ROOT),
               f"UK_APP={ROOT / 'examples' / 'two-comps'}", f"O={build}",
               "defconfig", "build"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"scons build of examples/two-comps failed:\n"
                             f"{done.stdout}{done.stderr}")
    return build


def scratch(name: str) -> Path:
    """A directory of its own under the tests' temporary directory."""
    path = _WORK / name
    path.mkdir()
    return path


def run_script(*args) -> subprocess.CompletedProcess:
    """Run support/scripts/ukcompart-verify as a user would."""
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)],
                          capture_output=True, text=True)
