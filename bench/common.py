"""Shared pieces of the benchmarks: running scons, timing, the table.

Every benchmark returns a list of :class:`Figure`.  A figure keeps all its
samples; the table shows median, min and max, and the ratio of medians to
its baseline when it has one.  Timings on a shared machine are noisy, so a
figure and its baseline are always measured in the same run, interleaved.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional

TREE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TREE / "site_scons"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


@dataclass
class Figure:
    name: str
    unit: str
    samples: List[float] = field(default_factory=list)
    baseline: Optional["Figure"] = None
    emulated: bool = False

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def row(self) -> str:
        ratio = ""
        if self.baseline is not None and self.baseline.median:
            ratio = f"{self.median / self.baseline.median:8.2f}x " \
                    f"{self.baseline.name}"
        mark = " *" if self.emulated else ""
        return (f"{self.name + mark:<44} {self.median:>12.4g} "
                f"{min(self.samples):>12.4g} {max(self.samples):>12.4g} "
                f"{self.unit:<7} {ratio}")


HEADER = (f"{'figure':<44} {'median':>12} {'min':>12} {'max':>12} "
          f"{'unit':<7} ratio to baseline")


def table(figures: List[Figure]) -> str:
    lines = [HEADER, "-" * len(HEADER)] + [f.row() for f in figures]
    if any(f.emulated for f in figures):
        lines.append("* measured inside QEMU's software emulation (TCG), "
                     "where WRPKRU flushes the emulated TLB: not hardware "
                     "figures, compare only ratios of the same run")
    return "\n".join(lines)


def scons(*args, check=True):
    command = [sys.executable, "-m", "SCons", "-Q", "-C", str(TREE)]
    done = subprocess.run(command + [str(a) for a in args],
                          capture_output=True, text=True)
    if check and done.returncode != 0:
        raise SystemExit(f"bench: scons {' '.join(map(str, args))} failed:\n"
                         f"{done.stdout}{done.stderr}")
    return done


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def configure(app: Path, build: Path, changes: dict = None) -> None:
    """``defconfig`` for ``app`` into ``build``, then apply ``changes``."""
    scons(f"UK_APP={app}", f"O={build}", "defconfig")
    if not changes:
        return
    config = build / ".config"
    lines = config.read_text().splitlines()
    for name, value in changes.items():
        new = f"# {name} is not set" if value == "n" else f"{name}={value}"
        lines = [line for line in lines if not (
            line.startswith(f"{name}=") or line == f"# {name} is not set")]
        lines.append(new)
    config.write_text("\n".join(lines) + "\n")
    scons(f"UK_APP={app}", f"O={build}", "olddefconfig")


def build_image(app: Path, changes: dict = None):
    """Build ``app`` (defconfig plus ``changes``) in a temporary directory.

    Returns (build directory, multiboot image); the caller removes the
    directory.
    """
    build = Path(tempfile.mkdtemp(prefix="ukc-bench-"))
    configure(app, build, changes)
    scons(f"UK_APP={app}", f"O={build}", "build")
    return build, build / f"{app.name}_qemu-x86_64"


def boot_seconds(image: Path) -> float:
    """Wall time of one boot to exit; a non-zero guest status stops."""
    from ukcompart import qemu

    start = time.perf_counter()
    result = qemu.boot(image, timeout=120)
    elapsed = time.perf_counter() - start
    if result.status != 0:
        raise SystemExit(f"bench: {image} exited {result.status}")
    return elapsed


FCALL = {"CONFIG_UKCOMPART_MPK": "n", "CONFIG_UKCOMPART_FCALL": "y"}
OFF = {"CONFIG_UKCOMPART": "n"}
