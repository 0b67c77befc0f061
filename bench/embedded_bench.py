#!/usr/bin/env python3
"""Embedded mode against Unikraft's own Make, same app, same run.

    UK_ROOT=/path/to/unikraft UK_APP=/path/to/app bench/embedded_bench.py

Both sides go through the same steps from an empty build directory, with
the same environment, the same ``-jN`` (BENCH_JOBS, default: CPUs) and
the build directory's own ``.config``, median of BENCH_RUNS (default 5),
interleaved so machine load hits both sides alike, and in alternating
order (Make first in even runs, SCons first in odd ones):

1. configure: ``make -C $UK_ROOT A=$UK_APP O=<tmp> C=<tmp>/.config
   UK_DEFCONFIG=... defconfig`` with
   tests/embedded/configs/helloworld-plain.defconfig (or DEFCONFIG=), and
   ``scons UK_ROOT=... UK_APP=... O=<tmp> DEFCONFIG=... defconfig`` with
   helloworld-mpk.defconfig (or DEFCONFIG_UKC=).  Both build Make's
   Kconfig tools (``conf``, ``fixdep``) here, and ukcompart's also writes
   what Make's build would have ``conf`` write (``config.h`` and the
   per-option files), so its time is shown too: work moved from the
   build into the configuration step shows there;
2. cold: the first build;
3. second build: the same command again, nothing edited;
4. no-op: once more.

The second build is not a no-op for Make: a configuration target runs
Kconfig with ``UK_NAME`` set to the app directory's name
(``app-helloworld``), so ``.config`` gets ``CONFIG_UK_DEFNAME`` from it,
while a build reads ``CONFIG_UK_NAME`` (``helloworld``) from ``.config``
and its Kconfig run rewrites ``UK_DEFNAME`` after Make has copied
``.config`` to ``<build>/config``.  The next Make sees the two differ,
regenerates ``config.h`` and recompiles everything; only the build after
that is a no-op.  ukcompart's second build is a no-op already.  The
no-op step checks that neither side compiled or linked anything, so a
rebuild cannot pass for a no-op (nor can edits to either tree while the
benchmark runs).

The goal is a cold ratio of at most 1.1x and a no-op under 0.5x.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

from common import RUNS, TREE, Figure, table, timed

CONFIGS = TREE / "tests" / "embedded" / "configs"
JOBS = int(os.environ.get("BENCH_JOBS", str(os.cpu_count() or 1)))
# Lines by which either side says it compiled or linked something.
WORK_MARKS = ("  CC ", "  AS ", "  LD ", "  CXX ")


def _environment() -> Dict[str, str]:
    """The caller's environment without a parent Make's jobserver."""
    env = dict(os.environ)
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(name, None)
    return env


ENV = _environment()


def _run(command: List[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, env=ENV)
    if done.returncode != 0:
        sys.exit(f"embedded_bench: {' '.join(command)} failed:\n"
                 f"{done.stdout}{done.stderr}")
    return done.stdout + done.stderr


def _make(uk_root: Path, app: Path, build: Path, *goals: str) -> List[str]:
    return ["make", "-C", str(uk_root), f"A={app}", f"O={build}",
            f"C={build}/.config", f"-j{JOBS}", *goals]


def _scons(uk_root: Path, app: Path, build: Path, *args: str) -> List[str]:
    return [sys.executable, "-m", "SCons", "-Q", "-C", str(TREE),
            f"UK_ROOT={uk_root}", f"UK_APP={app}", f"O={build}", *args]


def _expect_no_work(output: str, what: str) -> None:
    worked = [line for line in output.splitlines()
              if line.startswith(WORK_MARKS)]
    if worked:
        sys.exit(f"embedded_bench: the no-op {what} rebuilt something "
                 f"({len(worked)} lines, first: {worked[0].strip()!r}); "
                 "its figure would not be a no-op")


def _measure(configure: List[str], build: List[str], what: str,
             config: Figure, cold: Figure, second: Figure,
             noop: Figure) -> None:
    config.samples.append(timed(lambda: _run(configure)))
    cold.samples.append(timed(lambda: _run(build)))
    second.samples.append(timed(lambda: _run(build)))
    output: List[str] = []
    noop.samples.append(timed(lambda: output.append(_run(build))))
    _expect_no_work(output[0], what)


def run():
    uk_root = Path(os.environ["UK_ROOT"]).resolve()
    app = Path(os.environ["UK_APP"]).resolve()
    plain = os.environ.get("DEFCONFIG",
                           str(CONFIGS / "helloworld-plain.defconfig"))
    ukc = os.environ.get("DEFCONFIG_UKC",
                         str(CONFIGS / "helloworld-mpk.defconfig"))

    make_config = Figure("make defconfig", "s")
    make_cold = Figure("make, cold", "s")
    make_second = Figure("make, second build", "s")
    make_noop = Figure("make, no-op", "s")
    ukc_config = Figure("scons defconfig (MPK)", "s", baseline=make_config)
    ukc_cold = Figure("scons build (MPK), cold", "s", baseline=make_cold)
    ukc_second = Figure("scons build (MPK), second build", "s",
                        baseline=make_second)
    ukc_noop = Figure("scons build (MPK), no-op", "s", baseline=make_noop)
    for run_index in range(RUNS):
        sides = ("make", "scons") if run_index % 2 == 0 else ("scons", "make")
        for side in sides:
            build = Path(tempfile.mkdtemp(prefix="ukc-embbench-"))
            try:
                if side == "make":
                    _measure(_make(uk_root, app, build,
                                   f"UK_DEFCONFIG={plain}", "defconfig"),
                             _make(uk_root, app, build), "make",
                             make_config, make_cold, make_second, make_noop)
                else:
                    _measure(_scons(uk_root, app, build, f"-j{JOBS}",
                                    f"DEFCONFIG={ukc}", "defconfig"),
                             _scons(uk_root, app, build, f"-j{JOBS}",
                                    "build"), "scons build",
                             ukc_config, ukc_cold, ukc_second, ukc_noop)
            finally:
                shutil.rmtree(build)
    return [make_config, ukc_config, make_cold, ukc_cold, make_second,
            ukc_second, make_noop, ukc_noop]


if __name__ == "__main__":
    if not os.environ.get("UK_ROOT") or not os.environ.get("UK_APP"):
        sys.exit("embedded_bench: set UK_ROOT (a Unikraft tree) and UK_APP "
                 "(an app of it, e.g. app-helloworld)")
    print(table(run()))
