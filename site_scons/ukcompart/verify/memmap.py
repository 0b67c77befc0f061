"""The memory map of an image as SVG: compartments as coloured bands.

One row per allocated section and per guard page, in address order (not
to scale: sections differ in size by orders of magnitude), each labelled
with its address range, size and protection key; a band at the left
groups the rows of one owner (the core, each compartment, the shared
region, the supervisor pages).  Rendered from templates/memory-map.svg.j2.
"""

from typing import List

from .regions import PAGE_SIZE, Regions
from .report import MapEntry, Report
from .subject import Subject

ROW = 26
TOP = 56
WIDTH = 820
BAND_WIDTH = 150

# Colour per owner kind; compartments cycle through the palette.
COLOURS = {"core": "#9ecae1", "shared": "#fdd0a2", "supervisor": "#d9d9d9",
           "guard": "#ffffff"}
PALETTE = ["#a1d99b", "#fc9272", "#bcbddc", "#fdae6b", "#c7e9c0",
           "#fbb4b9", "#dadaeb", "#fee391", "#9ebcda", "#d4b9da",
           "#c6dbef", "#e5f5e0", "#fdbb84", "#ccebc5"]


def entries(subject: Subject) -> List[MapEntry]:
    """The rows of the map, sections and guard pages, by address."""
    regions: Regions = subject.regions
    names = {c.index: c.name for c in subject.reference.compartments}
    rows = []
    for section in regions.allocated:
        owner = regions.owners[section.name]
        if section.name == f".comp{owner.index}.guard":
            continue            # the guard page row below stands for it
        if owner.kind == "compartment":
            tag = f"comp{owner.index}"
            label = f"{names.get(owner.index, '?')} (compartment " \
                f"{owner.index})"
        else:
            tag = owner.kind
            label = owner.kind
        rows.append(MapEntry(section.name, section.addr, section.size, tag,
                             label, owner.key))
    for k in range(1, subject.count + 1):
        stack = regions.section(f".comp{k}.stack")
        if stack is not None:
            rows.append(MapEntry("guard page", stack.addr - PAGE_SIZE,
                                 PAGE_SIZE, f"comp{k}",
                                 f"{names.get(k, '?')} (compartment {k})",
                                 None, unmapped=True))
    rows.sort(key=lambda row: (row.addr, row.size != 0, row.name))
    return rows


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    for unit in ("KiB", "MiB", "GiB"):
        size /= 1024
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if size == int(size) \
                else f"{size:.1f} {unit}"
    return ""


def _colour(tag: str) -> str:
    if tag.startswith("comp"):
        return PALETTE[(int(tag[4:]) - 1) % len(PALETTE)]
    return COLOURS.get(tag, "#eeeeee")


def svg(report: Report) -> str:
    """The SVG document of ``report``'s memory map."""
    from .. import templates    # jinja2 only when a map is asked for

    rows = []
    bands = []
    for i, entry in enumerate(report.memory_map):
        y = TOP + i * ROW
        if bands and bands[-1]["owner"] == entry.owner:
            bands[-1]["height"] += ROW
        else:
            bands.append({"owner": entry.owner, "y": y, "height": ROW,
                          "label": entry.label,
                          "fill": _colour(entry.owner)})
        if entry.unmapped:
            key = "unmapped"
        elif entry.key is None:
            key = "supervisor"
        else:
            key = f"key {entry.key}"
        rows.append({
            "y": y, "name": entry.name, "guard": entry.unmapped,
            "fill": COLOURS["guard"] if entry.unmapped
            else _colour(entry.owner),
            "range": f"{entry.addr:#010x}-{entry.addr + entry.size:#010x}",
            "size": _size(entry.size), "key": key,
        })
    height = TOP + len(rows) * ROW + 40
    return templates.render(
        "memory-map.svg.j2", image=report.image, ok=report.ok,
        width=WIDTH, height=height, row_height=ROW, band_width=BAND_WIDTH,
        rows=rows, bands=bands, footer_y=height - 16)
