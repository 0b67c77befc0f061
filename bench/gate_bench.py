#!/usr/bin/env python3
"""A gate round trip against a direct call, and the stub's length.

Cycles come from the time-stamp counter inside the guest
(bench/apps/gatebench), under QEMU's software emulation: only the ratio to
the direct call means anything, and on hardware it is far smaller.  The
instruction count is read from the linked image: the MPK stub is straight
line code, so a round trip runs each of its instructions once.
"""

import re
import shutil
from pathlib import Path

from common import FCALL, RUNS, TREE, Figure, build_image, table

GATEBENCH = TREE / "bench" / "apps" / "gatebench"
_RESULT = re.compile(r"rounds=\d+ direct=(\d+) gate=(\d+)")


def stub_instructions(image_dbg: Path, stub: str) -> int:
    """Instructions of one gate stub, disassembled with capstone."""
    import capstone
    from elftools.elf.elffile import ELFFile

    with open(image_dbg, "rb") as f:
        elf = ELFFile(f)
        symbol = next(s for s in elf.get_section_by_name(".symtab")
                      .iter_symbols() if s.name == stub)
        gates = elf.get_section_by_name(".ukc.gates")
        offset = symbol["st_value"] - gates["sh_addr"]
        code = gates.data()[offset:offset + symbol["st_size"]]
    disassembler = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    return sum(1 for _ in disassembler.disasm(code, symbol["st_value"]))


def _build(changes):
    return build_image(GATEBENCH, changes)[0]


def run():
    from ukcompart import qemu

    direct = Figure("direct call (same compartment)", "cycles",
                    emulated=True)
    fcall = Figure("gate round trip, FCALL", "cycles", baseline=direct,
                   emulated=True)
    mpk = Figure("gate round trip, MPK", "cycles", baseline=direct,
                 emulated=True)
    builds = {"mpk": _build({}), "fcall": _build(FCALL)}
    try:
        for _ in range(RUNS):
            for key, figure in (("mpk", mpk), ("fcall", fcall)):
                image = builds[key] / "gatebench_qemu-x86_64"
                console = qemu.boot(image, timeout=120).console
                near, far = map(int, _RESULT.search(console).groups())
                figure.samples.append(far)
                if key == "mpk":
                    direct.samples.append(near)
        stub = "__ukc_gate_1_bench_far"
        mpk_len = Figure("MPK stub, instructions per round trip", "instr")
        fcall_len = Figure("FCALL stub, instructions per round trip",
                           "instr", baseline=mpk_len)
        mpk_len.samples = [stub_instructions(
            builds["mpk"] / "gatebench_qemu-x86_64.dbg", stub)]
        fcall_len.samples = [stub_instructions(
            builds["fcall"] / "gatebench_qemu-x86_64.dbg", stub)]
    finally:
        for build in builds.values():
            shutil.rmtree(build)
    return [direct, fcall, mpk, mpk_len, fcall_len]


if __name__ == "__main__":
    print(table(run()))
