"""The embedded link: Unikraft's link line, ukcompart's objects and script.

Unikraft's platform ``Linker.uk`` links the image with ``gcc``, the
platform's flags, every prelinked library object, ``-dT`` for the
platform's preprocessed default script and ``-T`` for each extra script
(which use ``INSERT``).  :func:`command` rebuilds that line from what
``make ukcompart-link-info`` and ``print-lds`` report, with the gated
copies of the objects in place of the originals, the gate stubs, the
descriptor table and the symbol table added, and one more ``-T`` script,
:func:`script`, for the compartment sections.

After the link come the platform's own steps, run from the Unikraft tree
as its Make would run them (kvm, x86_64): ``strip``, the boot-info section
(``support/scripts/mkbootinfo.py``) and the multiboot header
(``support/scripts/multiboot.py``).
"""

import sys
from pathlib import Path
from typing import Dict, List

from .. import templates
from ..model import Layout, PAGE_SIZE
from .make import MakeInfo


class LinkInfoError(Exception):
    pass


def object_pattern(object_name: str) -> str:
    return f"*/{object_name}"


def script(layout: Layout, object_names: Dict[str, str],
           default_lds: str) -> str:
    """The extra linker script of ``layout`` (no absolute paths in it)."""
    compartments = []
    for comp in layout.isolated:
        compartments.append({
            "index": comp.index, "name": comp.name, "key": comp.key,
            "stack_size": comp.stack_size, "libraries": comp.libraries,
            "objects": [object_pattern(object_names[lib])
                        for lib in comp.libraries]})
    return templates.render(
        "unikraft.lds.j2", page=PAGE_SIZE, compartments=compartments,
        default_lds=Path(default_lds).name if default_lds else "?")


def platform(info: MakeInfo) -> str:
    plats = info.plats
    if len(plats) != 1:
        raise LinkInfoError(
            f"the configuration selects {len(plats)} platforms "
            f"({' '.join(plats) or 'none'}); ukcompart links exactly one")
    return plats[0]


def link_objects(info: MakeInfo, build: Path) -> List[Path]:
    """The prelinked objects, in the order the platform links them."""
    plat = platform(info)
    ordered = info.for_plat(plat, "olibs") + info.link.get("olibs",
                                                          "").split()
    return [Path(p) for p in ordered]


def library_of(path: Path) -> str:
    return path.name[:-2] if path.name.endswith(".o") else path.name


def command(info: MakeInfo, objects: List[Path], extra_lds: List[Path],
            output: Path) -> List[str]:
    """The link command line (``$LD`` is gcc, flags are ``-Wl,``)."""
    plat = platform(info)
    default = info.for_plat(plat, "default_lds")
    extras = info.for_plat(plat, "extra_lds")
    line = [info.link.get("ld", "gcc") or "gcc"]
    line += info.for_plat(plat, "ldflags")
    line += [str(o) for o in objects]
    line += ["-Wl,--start-group"] + info.for_plat(plat, "alibs") + \
        info.link.get("alibs", "").split() + \
        info.for_plat(plat, "libgcc") + ["-Wl,--end-group"]
    line += info.link.get("ldflags", "").split()
    line += ["-Wl,--emit-relocs"]
    line += [f"-Wl,-dT,{lds}" for lds in default]
    line += [f"-Wl,-T,{lds}" for lds in extras]
    line += [f"-Wl,-T,{lds}" for lds in extra_lds]
    return line + ["-o", str(output)]


def image_path(info: MakeInfo) -> Path:
    plat = platform(info)
    image = info.for_plat(plat, "image")
    if not image:
        raise LinkInfoError(f"Make reports no image name for platform "
                            f"{plat} ({plat.upper()}_IMAGE)")
    return Path(image[0])


def finish_commands(info: MakeInfo, uk_root: Path, image_dbg: Path,
                    image: Path) -> List[List[str]]:
    """The platform's steps after the link, as Unikraft's Make runs them."""
    scripts = uk_root / "support" / "scripts"
    strip = info.link.get("strip", "strip") or "strip"
    objcopy = info.link.get("objcopy", "objcopy") or "objcopy"
    arch = info.link.get("arch", "x86_64")
    bootinfo = Path(f"{image}.bootinfo")
    # Unikraft's Python scripts run under this interpreter, not through
    # their "#!/usr/bin/env python3" line: same scripts, one PATH search
    # (and, where python3 is a version manager's shim, its start-up) less.
    python = sys.executable or "python3"
    steps = [[strip, "-s", str(image_dbg), "-o", str(image)],
             [python, str(scripts / "mkbootinfo.py"), str(image),
              str(bootinfo), "-a", arch],
             [objcopy, str(image),
              "--update-section", f".uk_bootinfo={bootinfo}"]]
    if info.link.get("elf64_to_32") == "y":
        steps.append([python, str(scripts / "multiboot.py"), str(image)])
    return steps
