#!/usr/bin/env python3
"""Embedded mode against Unikraft's own Make, same app, same run.

    UK_ROOT=/path/to/unikraft UK_APP=/path/to/app bench/embedded_bench.py

Four figures, median of BENCH_RUNS (default 5), interleaved so machine
load hits both sides alike:

- ``make`` cold: ``make -C $UK_ROOT A=$UK_APP O=<tmp> C=<tmp>/.config -jN``
  from an empty build directory configured by Unikraft's own
  ``make defconfig`` (tests/embedded/configs/helloworld-plain.defconfig,
  or DEFCONFIG=);
- ``make`` no-op: the same command again;
- ``scons build`` cold and no-op with compartments
  (tests/embedded/configs/helloworld-mpk.defconfig, or DEFCONFIG_UKC=),
  configured the same way.

The goal is a cold ratio of at most 1.1x and a no-op under 0.5x.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import RUNS, TREE, Figure, scons, table, timed

CONFIGS = TREE / "tests" / "embedded" / "configs"
JOBS = int(os.environ.get("BENCH_JOBS", str(os.cpu_count() or 1)))


def _make(uk_root: Path, app: Path, build: Path, *goals: str) -> None:
    command = ["make", "-s", "-C", str(uk_root), f"A={app}", f"O={build}",
               f"C={build}/.config", f"-j{JOBS}", *goals]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"embedded_bench: {' '.join(command)} failed:\n"
                 f"{done.stderr}")


def _scons(uk_root: Path, app: Path, build: Path, *args: str) -> None:
    """Run scons; a failed verification still leaves a timed build.

    Unikraft's own layout fails two of the verifier's checks (see
    docs/embedded.md), so ``build`` exits non-zero after linking; only a
    failure before the image exists is fatal here.
    """
    done = scons(f"UK_ROOT={uk_root}", f"UK_APP={app}", f"O={build}", *args,
                 check=False)
    if done.returncode != 0 and "verification failed" not in done.stderr:
        sys.exit(f"embedded_bench: scons {' '.join(args)} failed:\n"
                 f"{done.stdout}\n{done.stderr}")


def run():
    uk_root = Path(os.environ["UK_ROOT"]).resolve()
    app = Path(os.environ["UK_APP"]).resolve()
    plain = os.environ.get("DEFCONFIG",
                           str(CONFIGS / "helloworld-plain.defconfig"))
    ukc = os.environ.get("DEFCONFIG_UKC",
                         str(CONFIGS / "helloworld-mpk.defconfig"))

    make_cold = Figure("make, cold", "s")
    make_noop = Figure("make, no-op", "s")
    ukc_cold = Figure("scons build (MPK), cold", "s", baseline=make_cold)
    ukc_noop = Figure("scons build (MPK), no-op", "s", baseline=make_noop)
    for _ in range(RUNS):
        for side in ("make", "scons"):
            build = Path(tempfile.mkdtemp(prefix="ukc-embbench-"))
            try:
                if side == "make":
                    _make(uk_root, app, build, f"UK_DEFCONFIG={plain}",
                          "defconfig")
                    make_cold.samples.append(timed(
                        lambda: _make(uk_root, app, build)))
                    make_noop.samples.append(timed(
                        lambda: _make(uk_root, app, build)))
                else:
                    _scons(uk_root, app, build, f"DEFCONFIG={ukc}",
                           "defconfig")
                    ukc_cold.samples.append(timed(lambda: _scons(
                        uk_root, app, build, f"-j{JOBS}", "build")))
                    ukc_noop.samples.append(timed(lambda: _scons(
                        uk_root, app, build, f"-j{JOBS}", "build")))
            finally:
                shutil.rmtree(build)
    return [make_cold, ukc_cold, make_noop, ukc_noop]


if __name__ == "__main__":
    if not os.environ.get("UK_ROOT") or not os.environ.get("UK_APP"):
        sys.exit("embedded_bench: set UK_ROOT (a Unikraft tree) and UK_APP "
                 "(an app of it, e.g. app-helloworld)")
    print(table(run()))
