#!/usr/bin/env python3
"""Boot-to-exit time of examples/two-comps: MPK, FCALL, compartments off.

Each configuration is built once; the boots are interleaved so machine
noise hits all three alike.  The time is QEMU's whole run (firmware,
loader and guest), under software emulation.
"""

import shutil
import tempfile
from pathlib import Path

from common import FCALL, OFF, RUNS, TREE, Figure, configure, scons, table

TWO_COMPS = TREE / "examples" / "two-comps"


def _image(changes):
    build = Path(tempfile.mkdtemp(prefix="ukc-bench-"))
    configure(TWO_COMPS, build, changes)
    scons(f"UK_APP={TWO_COMPS}", f"O={build}", "build")
    return build, build / "two-comps_qemu-x86_64"


def run():
    import time
    from ukcompart import qemu

    off = Figure("boot to exit, two-comps, compartments off", "s",
                 emulated=True)
    fcall = Figure("boot to exit, two-comps, FCALL", "s", baseline=off,
                   emulated=True)
    mpk = Figure("boot to exit, two-comps, MPK", "s", baseline=off,
                 emulated=True)
    builds = {}
    try:
        for figure, changes in ((off, OFF), (fcall, FCALL), (mpk, {})):
            builds[figure.name] = _image(changes)
        for _ in range(RUNS):
            for figure in (off, fcall, mpk):
                image = builds[figure.name][1]
                start = time.perf_counter()
                result = qemu.boot(image, timeout=120)
                figure.samples.append(time.perf_counter() - start)
                if result.status != 0:
                    raise SystemExit(f"bench: {image} exited "
                                     f"{result.status}")
    finally:
        for build, _ in builds.values():
            shutil.rmtree(build)
    return [off, fcall, mpk]


if __name__ == "__main__":
    print(table(run()))
