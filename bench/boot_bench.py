#!/usr/bin/env python3
"""Boot-to-exit time of examples/two-comps: MPK, FCALL, compartments off.

Each configuration is built once; the boots are interleaved so machine
noise hits all three alike.  The time is QEMU's whole run (firmware,
loader and guest), under software emulation.
"""

import shutil

from common import (FCALL, OFF, RUNS, TREE, Figure, boot_seconds,
                    build_image, table)

TWO_COMPS = TREE / "examples" / "two-comps"


def run():
    off = Figure("boot to exit, two-comps, compartments off", "s",
                 emulated=True)
    fcall = Figure("boot to exit, two-comps, FCALL", "s", baseline=off,
                   emulated=True)
    mpk = Figure("boot to exit, two-comps, MPK", "s", baseline=off,
                 emulated=True)
    builds = {}
    try:
        for figure, changes in ((off, OFF), (fcall, FCALL), (mpk, {})):
            builds[figure.name] = build_image(TWO_COMPS, changes)
        for _ in range(RUNS):
            for figure in (off, fcall, mpk):
                figure.samples.append(
                    boot_seconds(builds[figure.name][1]))
    finally:
        for build, _ in builds.values():
            shutil.rmtree(build)
    return [off, fcall, mpk]


if __name__ == "__main__":
    print(table(run()))
