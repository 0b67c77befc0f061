#!/usr/bin/env python3
"""Cold and no-op ``scons build`` of examples/hello: wall time, median of 5.

The cold build starts from an empty build directory (configuration
included); the no-op build runs right after it with nothing to do.
"""

import shutil
import tempfile
from pathlib import Path

from common import RUNS, TREE, Figure, configure, scons, table, timed

HELLO = TREE / "examples" / "hello"


def run():
    cold = Figure("scons build, cold (examples/hello)", "s")
    noop = Figure("scons build, no-op (examples/hello)", "s",
                  baseline=cold)
    for _ in range(RUNS):
        build = Path(tempfile.mkdtemp(prefix="ukc-bench-"))
        try:
            cold.samples.append(timed(lambda: (
                configure(HELLO, build),
                scons(f"UK_APP={HELLO}", f"O={build}", "build"))))
            noop.samples.append(timed(
                lambda: scons(f"UK_APP={HELLO}", f"O={build}", "build")))
        finally:
            shutil.rmtree(build)
    return [cold, noop]


if __name__ == "__main__":
    print(table(run()))
