#!/usr/bin/env python3
"""Cost of each hardening option on the app compartment of two-comps.

For each option, alone, on compartment 1 ("app", the app's main) of
examples/two-comps: the code size of ``.comp1.text`` and the
boot-to-exit time, as ratios to the image without hardening.  The code
size is the sum of the function symbols' sizes in the section: the
section itself is padded to whole pages, which would hide small changes.
Boots are interleaved so machine noise hits every image alike; the time
is QEMU's whole run under software emulation.
"""

import shutil
from pathlib import Path

from common import (RUNS, TREE, Figure, boot_seconds, build_image,
                    table)

TWO_COMPS = TREE / "examples" / "two-comps"
NO_STACKPROT = {"CONFIG_UKCOMPART_COMP1_STACKPROT_NONE": "n"}
OPTIONS = {
    "none": {},
    "stack protector strong": {
        **NO_STACKPROT, "CONFIG_UKCOMPART_COMP1_STACKPROT_STRONG": "y"},
    "stack protector all": {
        **NO_STACKPROT, "CONFIG_UKCOMPART_COMP1_STACKPROT_ALL": "y"},
    "ubsan (trap mode)": {"CONFIG_UKCOMPART_COMP1_UBSAN": "y"},
    "cf-protection=branch": {"CONFIG_UKCOMPART_COMP1_CFPROT": "y"},
}


def code_size(image_dbg: Path, section: str = ".comp1.text") -> int:
    """Bytes of the functions in ``section`` of the linked image."""
    from elftools.elf.elffile import ELFFile

    with open(image_dbg, "rb") as f:
        elf = ELFFile(f)
        text = elf.get_section_by_name(section)
        low, high = text["sh_addr"], text["sh_addr"] + text["sh_size"]
        return sum(sym["st_size"]
                   for sym in elf.get_section_by_name(".symtab")
                   .iter_symbols()
                   if sym["st_info"]["type"] == "STT_FUNC"
                   and low <= sym["st_value"] < high)


def run():
    sizes, times, builds = {}, {}, {}
    try:
        for name, changes in OPTIONS.items():
            builds[name] = build_image(TWO_COMPS, changes)
            base_size = sizes.get("none")
            base_time = times.get("none")
            sizes[name] = Figure(f"size of .comp1.text, {name}", "bytes",
                                 baseline=base_size)
            times[name] = Figure(f"boot to exit, {name}", "s",
                                 baseline=base_time, emulated=True)
            sizes[name].samples.append(
                code_size(Path(f"{builds[name][1]}.dbg")))
        for _ in range(RUNS):
            for name in OPTIONS:
                times[name].samples.append(boot_seconds(builds[name][1]))
    finally:
        for build, _ in builds.values():
            shutil.rmtree(build)
    return list(sizes.values()) + list(times.values())


if __name__ == "__main__":
    print(table(run()))
