"""Driving Unikraft's Make, and reading what it prints.

Every call is ``make -C <UK_ROOT> A=<app> L=<libs> O=<build>
C=<build>/.config``: the tree is only read, everything goes to the build
directory.  One call makes a build, with the goals

- ``print-libs print-objs print-lds ukcompart-link-info``: the enabled
  libraries in link order, their objects and linker scripts (Unikraft's
  own print targets) and the platform's link variables (the
  ``ukcompart-link-info`` target of this tree's ``Makefile.build``);
- ``ukcompart-libs``: every library compiled and prelinked to
  ``<build>/<lib>.o``, as Unikraft always does, and its linker scripts
  preprocessed, but no image.

One call, not two, saves a whole Make start-up (Unikraft's Makefile is
read three times per call, by nested Makes: about 0.7 s).  The call runs
with ``--output-sync=target``, so each target's output comes whole: the
print targets' lines are taken out of the stream (:class:`PrintFilter`)
and the build's own lines (``CC``, ``LD``, ...) are passed on as they
come.

Make is skipped altogether when nothing it reads has changed since its
last successful run (:class:`Stamp`): a no-op build then costs no Make
start-up at all.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional

from ..errors import UkcError
from ..fsutil import write_atomic
from .environment import Embedding

INFO_PREFIX = "ukcompart-link: "
PRINT_GOALS = ("print-libs", "print-objs", "print-lds", "ukcompart-link-info")
BUILD_GOAL = "ukcompart-libs"
_LIB_HEADER = re.compile(r"^([A-Za-z0-9_]+):$")


class MakeError(UkcError):
    """Unikraft's Make failed; its own messages were printed above."""


@dataclass
class MakeInfo:
    """What Make says about one configuration."""

    libs: List[str]
    objs: Dict[str, List[str]]
    lds: Dict[str, List[str]]
    link: Dict[str, str]

    @property
    def plats(self) -> List[str]:
        return self.link.get("plats", "").split()

    def for_plat(self, plat: str, name: str) -> List[str]:
        return self.link.get(f"{plat}.{name}", "").split()

    def to_json(self) -> str:
        return json.dumps({"libs": self.libs, "objs": self.objs,
                           "lds": self.lds, "link": self.link},
                          indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "MakeInfo":
        data = json.loads(text)
        return cls(libs=data["libs"], objs=data["objs"], lds=data["lds"],
                   link=data["link"])


def parse_libs(text: str) -> List[str]:
    """``make print-libs``: library names on one line, in link order."""
    names = []
    for line in text.splitlines():
        words = line.split()
        if words and all(re.fullmatch(r"[A-Za-z0-9_]+", w) for w in words):
            names += words
    return names


def parse_link_info(text: str) -> Dict[str, str]:
    info = {}
    for line in text.splitlines():
        if line.startswith(INFO_PREFIX):
            name, _, value = line[len(INFO_PREFIX):].partition("=")
            info[name.strip()] = value.strip()
    return info


def _is_libs_line(line: str) -> bool:
    """A line ``print-libs`` could have printed: names only, at column 0
    (Make's ``  LN      Makefile`` is words too, but indented)."""
    return bool(line) and not line[0].isspace() and \
        bool(parse_libs(line)) and not _LIB_HEADER.match(line.strip())


class PrintFilter:
    """Tells the print targets' lines from the build's, line by line.

    The print targets' output is: one line of library names
    (``print-libs``), blocks of a ``<lib>:`` line and one line of files
    (``print-objs``, ``print-lds``; ``echo -e`` adds a blank line after
    the last block and a blank before every other header), and
    ``ukcompart-link: `` lines.  Everything else is the build's.  Only
    the first line of names is taken as ``print-libs``: a later one
    belongs to the build.
    """

    def __init__(self):
        self.lines: List[str] = []
        self._files_next = False
        self._after_block = False
        self._have_libs = False

    def take(self, line: str) -> bool:
        """Keep ``line`` if it is print output; False: it is the build's."""
        stripped = line.strip()
        if self._files_next:
            self._files_next = False
            self._after_block = True
            self.lines.append(line)
            return True
        if _LIB_HEADER.match(stripped):
            self._files_next = True
            self._after_block = False
            self.lines.append(line)
            return True
        if not stripped and self._after_block:
            self._after_block = False
            return True
        self._after_block = False
        if line.startswith(INFO_PREFIX):
            self.lines.append(line)
            return True
        if not self._have_libs and _is_libs_line(line):
            self._have_libs = True
            self.lines.append(line)
            return True
        return False


def split_print_output(text: str) -> MakeInfo:
    """Split the output of one call with :data:`PRINT_GOALS`.

    ``print-libs`` prints one line of names; ``print-objs`` and
    ``print-lds`` print blocks, a ``<lib>:`` line and one line of files;
    the two kinds of blocks are told apart by their paths (``.o`` against
    linker scripts).  Other lines (Make's own, or the build's when the
    same call builds) are ignored wherever they are.
    """
    keep = PrintFilter()
    for line in text.splitlines():
        keep.take(line)
    libs: List[str] = []
    objs: Dict[str, List[str]] = {}
    lds: Dict[str, List[str]] = {}
    lines = keep.lines
    index = 0
    while index < len(lines):
        line = lines[index]
        header = _LIB_HEADER.match(line.strip())
        if header and index + 1 < len(lines):
            files = lines[index + 1].split()
            target = objs if files and all(f.endswith(".o")
                                           for f in files) else lds
            target.setdefault(header.group(1), []).extend(files)
            index += 2
            continue
        if not libs and not line.startswith(INFO_PREFIX) \
                and _is_libs_line(line):
            libs = parse_libs(line)
        index += 1
    return MakeInfo(libs=libs, objs=objs, lds=lds,
                    link=parse_link_info(text))


def command(emb: Embedding, goals: Iterable[str], jobs: int = 1,
            verbose: bool = False) -> List[str]:
    """The Make command line for ``goals``."""
    line = ["make", "-C", str(emb.uk_root), f"A={emb.app}",
            f"L={':'.join(str(lib) for lib in emb.libs)}",
            f"O={emb.build}", f"C={emb.dotconfig}"]
    if jobs > 1:
        line.append(f"-j{jobs}")
    if verbose:
        line.append("V=1")
    else:
        line.append("--no-print-directory")
    return line + list(goals)


def make_environment(emb: Embedding) -> Dict[str, str]:
    """This process's environment, plus where ukcompart's menus live.

    Make's own Kconfig (``conf --syncconfig``) reads this tree's
    ``Config.uk``, which sources ``$(UKCOMPART_KCONFIG_DIR)``.
    """
    env = dict(os.environ)
    env["UKCOMPART_KCONFIG_DIR"] = str(emb.kconfig_dir)
    for name in ("KCONFIG_FUNCTIONS", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(name, None)
    return env


def _check(info: MakeInfo, line: List[str]) -> MakeInfo:
    if not info.libs or not info.plats:
        raise MakeError(f"{' '.join(line)}: printed no libraries or no "
                        "platform; is a platform (e.g. CONFIG_PLAT_KVM) "
                        "selected in .config?")
    return info


def build(emb: Embedding, jobs: int, verbose: bool, out=None,
          meanwhile: Optional[Callable[[], None]] = None) -> MakeInfo:
    """Compile and prelink every library with Unikraft's Make, in the same
    call as the print targets: what they print, as :class:`MakeInfo`.

    Make's stderr goes straight through; of its stdout, the build's lines
    are written to ``out`` (default: this process's stdout) as they come.
    ``meanwhile`` runs in a thread of its own while Make works.
    """
    out = out or sys.stdout
    line = command(emb, PRINT_GOALS + (BUILD_GOAL,), jobs=jobs,
                   verbose=verbose)
    line.insert(-len(PRINT_GOALS) - 1, "--output-sync=target")
    if verbose:
        print(" ".join(line))
        sys.stdout.flush()
    keep = PrintFilter()
    with subprocess.Popen(line, stdout=subprocess.PIPE, text=True,
                          errors="replace", bufsize=1,
                          env=make_environment(emb)) as proc:
        beside = threading.Thread(target=meanwhile, daemon=True) \
            if meanwhile is not None else None
        if beside is not None:
            beside.start()
        for text in proc.stdout:
            if not keep.take(text.rstrip("\n")):
                out.write(text)
                out.flush()
        status = proc.wait()
        if beside is not None:
            beside.join()
    if status != 0:
        raise MakeError(f"Unikraft's make failed (exit status "
                        f"{status}): {' '.join(line)}")
    return _check(split_print_output("\n".join(keep.lines)), line)


# -- Make's Kconfig tools ------------------------------------------------

def kconfig_tools(emb: Embedding) -> List[Path]:
    """The host programs Make's build runs before compiling: ``conf``
    (``--syncconfig``, which writes the config header) and ``fixdep``."""
    return [emb.kconfig_dir / "conf", emb.kconfig_dir / "fixdep"]


def prepare_tools(emb: Embedding, jobs: int, verbose: bool) -> bool:
    """Build Make's Kconfig tools now, if missing; True if Make ran.

    Unikraft's own configuration targets build ``conf`` (they run it);
    ukcompart configures with kconfiglib, so without this the first build
    would build it instead.  A configuration target is where a user
    expects set-up work, and where Unikraft does it.
    """
    tools = kconfig_tools(emb)
    if all(tool.is_file() for tool in tools):
        return False
    # One goal: conf's rules build fixdep first.  Both as goals would
    # build fixdep twice at once under -j (two sub-Makes, one object).
    line = command(emb, [str(tools[0])], jobs=jobs, verbose=verbose)
    if verbose:
        print(" ".join(line))
    done = subprocess.run(line, capture_output=not verbose, text=True,
                          env=make_environment(emb))
    if done.returncode != 0:
        if not verbose:
            sys.stderr.write(done.stdout + done.stderr)
        raise MakeError(f"Unikraft's Kconfig tools did not build (exit "
                        f"status {done.returncode}): {' '.join(line)}; "
                        "they need a host gcc, flex and bison (Debian: "
                        "apt-get install gcc flex bison)")
    missing = [str(tool) for tool in tools if not tool.is_file()]
    if missing:
        raise MakeError(f"{' '.join(line)} succeeded but left no "
                        f"{', '.join(missing)}; is UK_ROOT a Unikraft tree "
                        "with support/kconfig?")
    return True


# -- Skipping Make when nothing changed ----------------------------------

# Absolute paths only: a relative one (``$(wildcard include/config/...)``,
# relative to the build directory) is the per-option file of a Kconfig
# option, which .config's digest covers.
_DEP_PATH = re.compile(rb"(?:^|(?<=[\s(]))(/[^\s:\\()$]+)")
# How far a file's time may lag the clock read before Make starts (file
# systems stamp with a coarser clock): an input changed this close to the
# start, or later, may not be what Make built from.
_CLOCK_SLACK_NS = 50_000_000


def dependency_files(build_dir: Path) -> List[str]:
    """Every file Make's dependency files (``*.d``) name, once."""
    found = set()
    for dep in build_dir.rglob("*.d"):
        try:
            found.update(_DEP_PATH.findall(dep.read_bytes()))
        except OSError:
            continue
    return sorted(os.fsdecode(p) for p in found)


def _times(paths: Iterable[str]) -> Dict[str, Optional[int]]:
    times: Dict[str, Optional[int]] = {}
    for path in paths:
        try:
            times[path] = os.stat(path).st_mtime_ns
        except OSError:
            times[path] = None
    return times


class Stamp:
    """The inputs of Make's last successful run, with their times.

    ``<build>/ukcompart/make.stamp`` holds the ``.config`` digest, every
    input file with its modification time, and Make's outputs.  The inputs
    are the makefiles Make read (its ``MAKEFILE_LIST``, which
    ``ukcompart-link-info`` prints: every library's ``Makefile.uk``, the
    rules, the ``.config``), the absolute paths its ``.d`` files name
    (sources and headers) and Unikraft's build scripts.  Make is up to
    date when the digest matches and no file is newer or gone.  Kconfig
    files are not looked at here: a change there reaches Make through the
    configuration header, which ukcompart rewrites when its text changes
    and which :func:`ensure_built` is told to watch.
    """

    def __init__(self, emb: Embedding):
        self.emb = emb
        self.path = emb.build / "ukcompart" / "make.stamp"

    def config_digest(self) -> str:
        try:
            return hashlib.sha256(self.emb.dotconfig.read_bytes()).hexdigest()
        except OSError:
            return ""

    def record(self, makefiles: List[str], outputs: List[Path],
               started_ns: int, config: str) -> None:
        """Record a successful run that started at ``started_ns`` (the
        clock's ``time_ns``) with ``.config`` digest ``config``, both read
        before Make started.  An input outside the build directory that is
        newer than the start was changed while Make ran, maybe after Make
        read it: it is recorded as unknown, so the next build runs Make
        (whose own times then decide) instead of trusting the stamp."""
        support = self.emb.uk_root / "support" / "build"
        files = _times(makefiles + [str(p) for p in support.glob("*")]
                       + dependency_files(self.emb.build))
        build = os.path.join(os.path.abspath(self.emb.build), "")
        for name, mtime in files.items():
            if mtime is not None and not name.startswith(build) and \
                    mtime >= started_ns - _CLOCK_SLACK_NS:
                files[name] = -1
        write_atomic(self.path, json.dumps(
            {"config": config, "files": files,
             "outputs": _times(str(p) for p in outputs)}) + "\n")

    def current(self) -> bool:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return False
        if not isinstance(data, dict) or \
                data.get("config") != self.config_digest():
            return False
        for recorded in (data.get("files"), data.get("outputs")):
            if not isinstance(recorded, dict):
                return False
            for name, mtime in recorded.items():
                try:
                    now = os.stat(name).st_mtime_ns
                except OSError:
                    now = None
                if now != mtime:
                    return False
        return True

    def invalidate(self) -> None:
        try:
            self.path.unlink()
        except OSError:
            pass


def info_path(emb: Embedding) -> Path:
    return emb.build / "ukcompart" / "make-info.json"


def ensure_built(emb: Embedding, jobs: int, verbose: bool, log=print,
                 before: Optional[Callable[[], None]] = None,
                 meanwhile: Optional[Callable[[], None]] = None,
                 watched: Iterable[Path] = ()) -> MakeInfo:
    """Make's view of the build, with every library object up to date.
    When Make has work to do, ``before`` runs first and ``meanwhile``
    beside it; neither runs when Make is skipped.  ``watched`` are more
    files of the build directory Make's result relies on (the
    configuration header): gone or changed, Make runs again."""
    stamp = Stamp(emb)
    cached = info_path(emb)
    if stamp.current():
        try:
            return MakeInfo.from_json(cached.read_text())
        except (OSError, ValueError, KeyError, TypeError):
            pass                # unreadable: ask Make again

    started = time.monotonic()
    stamp.invalidate()
    if before is not None:
        before()
    config = stamp.config_digest()
    started_ns = time.time_ns()
    # Through JSON, so a fresh answer equals the cached one field for field
    # and key for key: SCons hashes the link actions' closures, which hold
    # it, and an order change alone would relink on the next run.
    fresh = build(emb, jobs, verbose, meanwhile=meanwhile)
    # The makefile list is the stamp's alone: it grows once Make has .cmd
    # files to include, which is no reason to link again.
    makefiles = fresh.link.pop("makefiles", "").split()
    info = MakeInfo.from_json(fresh.to_json())
    write_atomic(cached, info.to_json())
    outputs = [emb.build / f"{lib}.o" for lib in info.libs] + list(watched)
    for files in info.lds.values():
        outputs += [Path(f) for f in files]
    stamp.record(makefiles, outputs, started_ns, config)
    if verbose:
        log(f"ukcompart: Unikraft's make took "
            f"{time.monotonic() - started:.1f} s")
    return info
