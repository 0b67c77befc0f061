#!/usr/bin/env python3
"""Image verification time: the two-compartment example and a large image.

Figures, median of BENCH_RUNS (default 5):

- ``verify()`` in process on examples/two-comps built by scons (what the
  build pays after each link), and the whole ``ukcompart-verify`` command,
  interpreter start-up and imports included;
- ``verify()`` on a synthetic image of 100 libraries in 10 compartments,
  about 50 MB, built with the real linker script, gates and descriptors
  (tests/verify/synthimage.py);
- the time per MiB of image for both, whose ratio shows how the cost
  grows with size (1.0 is linear).
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import RUNS, TREE, Figure, configure, scons, table, timed

sys.path.insert(0, str(TREE / "tests" / "verify"))

import synthimage  # noqa: E402

from ukcompart.verify import verify  # noqa: E402

TWO_COMPS = TREE / "examples" / "two-comps"
SCRIPT = TREE / "support" / "scripts" / "ukcompart-verify"
LIBRARIES = 100
COMPARTMENTS = 10
FUNCTIONS = 1500            # per library
RODATA = 96 * 1024          # bytes per library
DATA = 64 * 1024


def _library_source(i: int) -> str:
    """Assembly of generated library ``i``: code, rodata, data, bss."""
    lines = ["\t.text"]
    for j in range(FUNCTIONS):
        name = f"big{i}_f{j}"
        lines += [f"\t.globl\t{name}", f"\t.type\t{name}, @function",
                  f"{name}:", "\tpush\t%rbx", f"\tmov\t${j}, %eax",
                  "\tadd\t%edi, %eax"]
        if j:
            lines.append(f"\tcall\tbig{i}_f{j - 1}")
        elif i + 1 < LIBRARIES:
            lines.append(f"\tcall\tbig{i + 1}_f0")
        lines += [f"\tlea\tbig{i}_d{j % 64}(%rip), %rdx",
                  "\tmov\t(%rdx), %ecx", "\tpop\t%rbx", "\tret",
                  f"\t.size\t{name}, . - {name}"]
    lines += ["\t.section .rodata", f"\t.globl\tbig{i}_table",
              f"\t.type\tbig{i}_table, @object", f"big{i}_table:",
              f"\t.fill\t{RODATA}, 1, {i % 251}",
              f"\t.size\tbig{i}_table, {RODATA}", "\t.data"]
    for d in range(64):
        lines += [f"\t.globl\tbig{i}_d{d}", f"\t.type\tbig{i}_d{d}, @object",
                  f"big{i}_d{d}:", f"\t.fill\t{DATA // 64}, 1, {d}",
                  f"\t.size\tbig{i}_d{d}, {DATA // 64}"]
    lines += ["\t.bss", f"\t.globl\tbig{i}_scratch",
              f"\t.type\tbig{i}_scratch, @object", f"big{i}_scratch:",
              "\t.zero\t4096", f"\t.size\tbig{i}_scratch, 4096", ""]
    return "\n".join(lines)


def large_image(build: Path) -> synthimage.Synth:
    libraries = [synthimage.two_compartments()[0]]
    libraries[0].sources["core.c"] = synthimage.PLAT_CORE.replace(
        "return main();", "return big0_f0();").replace(
        "int main(void);", "int big0_f0(void);")
    for i in range(LIBRARIES):
        libraries.append(synthimage.Library(
            f"libbig{i}", 1 + i % COMPARTMENTS,
            {f"big{i}.S": _library_source(i)}))
    compartments = [synthimage.Compart(k, f"big{k}", 0x10000)
                    for k in range(1, COMPARTMENTS + 1)]
    return synthimage.build(build, libraries=libraries,
                            compartments=compartments)


def _median_run(figure: Figure, action) -> None:
    for _ in range(RUNS):
        figure.samples.append(timed(action))


def run():
    work = Path(tempfile.mkdtemp(prefix="ukc-bench-verify-"))
    try:
        small_build = work / "two-comps"
        configure(TWO_COMPS, small_build)
        scons(f"UK_APP={TWO_COMPS}", f"O={small_build}", "build")
        small = small_build / "two-comps_qemu-x86_64.dbg"
        small_config = small_build / ".config"
        large = large_image(work / "large")

        for image, config in ((small, small_config),
                              (large.image, large.config)):
            report = verify(image, config)
            if not report.ok:
                raise SystemExit(f"bench: {image} does not verify:\n"
                                 f"{report.table()}")

        small_mib = small.stat().st_size / 2**20
        large_mib = large.image.stat().st_size / 2**20
        in_process = Figure("verify() two-comps, in process", "s")
        command = Figure("ukcompart-verify two-comps, whole command", "s")
        big = Figure(f"verify() {LIBRARIES} libraries, {large_mib:.0f} MiB",
                     "s", baseline=in_process)
        _median_run(in_process, lambda: verify(small, small_config))
        _median_run(command, lambda: subprocess.run(
            [sys.executable, str(SCRIPT), str(small), "--config",
             str(small_config)], check=True, capture_output=True))
        _median_run(big, lambda: verify(large.image, large.config))

        per_small = Figure(f"  per MiB, two-comps ({small_mib:.2f} MiB)",
                           "s/MiB")
        per_small.samples = [t / small_mib for t in in_process.samples]
        per_large = Figure(f"  per MiB, {LIBRARIES} libraries", "s/MiB",
                           baseline=per_small)
        per_large.samples = [t / large_mib for t in big.samples]
        return [in_process, command, big, per_small, per_large]
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    print(table(run()))
