"""Who owns each output section of an image, and so each of its pages.

docs/image-layout.md names every output section; their owners follow from
how the platform and the runtime map them:

``core``          ``.boot``, ``.text``, ``.ukc.gates``, ``.rodata``,
                  ``.data``, ``.bss``: user pages with key 0.  The gates
                  are core code (key 0) that every compartment executes;
                  they are their own region only for the code checks
                  (``.ukc.gates`` is the one place WRPKRU may occur and the
                  one place a call may cross into).
compartment k     ``.comp<k>.text``, ``.rodata``, ``.data``, ``.bss``,
                  ``.stack``: user pages with key k.
``shared``        ``.ukc.shared``: user pages with key 15.
supervisor        ``.ukplat.sup`` (read-write), ``.ukc.desc`` and
                  ``.ukc.symtab`` (read-only): pages with U/S=0, which no
                  key protects.  Each is its own region, because a page
                  can only be one of read-only or writable.

Any other allocated section would be mapped like the core (the platform
maps every image page with key 0 unless the runtime re-tags it), so it
counts as core.  Sections of one owner may share a page with each other;
sections of two owners may not.
"""

import bisect
import re
from dataclasses import dataclass
from typing import Dict, List, Optional

from .image import ElfFile, Section

PAGE_SIZE = 4096
PARTS = ("text", "rodata", "data", "bss", "stack")
CORE_SECTIONS = (".boot", ".text", ".ukc.gates", ".rodata", ".data", ".bss")
SUPERVISOR_SECTIONS = (".ukplat.sup", ".ukc.desc", ".ukc.symtab")
GATES = ".ukc.gates"
SHARED = ".ukc.shared"
DESC = ".ukc.desc"
SYMTAB = ".ukc.symtab"
SUP = ".ukplat.sup"
UKC_SECTIONS = (GATES, DESC, SHARED, SYMTAB)

_COMP = re.compile(r"^\.comp(\d+)\.(.+)$")


@dataclass(frozen=True)
class Owner:
    """The region a section belongs to; equal owners may share pages."""

    kind: str                   # core, compartment, shared, supervisor
    index: int = 0              # compartment index (0 for the core)
    section: str = ""           # supervisor regions: the section name

    @property
    def label(self) -> str:
        if self.kind == "compartment":
            return f"compartment {self.index}"
        if self.kind == "supervisor":
            return f"supervisor {self.section}"
        return self.kind

    @property
    def key(self) -> Optional[int]:
        """The protection key of the region's pages (None: supervisor)."""
        if self.kind == "compartment":
            return self.index
        if self.kind == "shared":
            return 15
        if self.kind == "core":
            return 0
        return None


CORE = Owner("core")


def compartment_part(name: str):
    """``(k, part)`` for ``.comp<k>.<part>``, else None."""
    match = _COMP.match(name)
    if match is None:
        return None
    return int(match.group(1)), match.group(2)


def owner_of(name: str) -> Owner:
    """The owner of the output section called ``name``."""
    part = compartment_part(name)
    if part is not None:
        return Owner("compartment", part[0])
    if name == SHARED:
        return Owner("shared")
    if name in SUPERVISOR_SECTIONS:
        return Owner("supervisor", section=name)
    return CORE


def is_layout_section(name: str) -> bool:
    """A section the layout contract names (core, ukc or compartment)."""
    return name in CORE_SECTIONS or name in SUPERVISOR_SECTIONS \
        or name in UKC_SECTIONS or compartment_part(name) is not None


class Regions:
    """The image's allocated sections, grouped by owner."""

    def __init__(self, image: ElfFile):
        self.image = image
        self.allocated: List[Section] = [
            s for s in image.sections if s.alloc and s.name]
        self.owners: Dict[str, Owner] = {
            s.name: owner_of(s.name) for s in self.allocated}
        self._by_addr = sorted((s for s in self.allocated if s.size),
                               key=lambda s: s.addr)
        self._starts = [s.addr for s in self._by_addr]

    def section(self, name: str) -> Optional[Section]:
        """The output section ``name``, if the image has it.

        ld drops SHF_ALLOC from an output section left empty (a
        compartment without rodata), so an empty section counts as
        present whatever its flags.
        """
        section = self.image.section(name)
        if section is None or not (section.alloc or section.size == 0):
            return None
        return section

    def of_compartment(self, index: int) -> List[Section]:
        """Sections holding compartment ``index``'s own bytes."""
        if index == 0:
            return [s for s in self.allocated
                    if s.name in (".boot", ".text", ".rodata", ".data",
                                  ".bss")]
        return [s for s in self.allocated
                if self.owners[s.name] == Owner("compartment", index)]

    def code_region(self, section: Section) -> Optional[str]:
        """Which code a section holds: ``core``, ``gates``, ``comp<k>``."""
        if not section.executable:
            return None
        if section.name == GATES:
            return "gates"
        owner = self.owners.get(section.name, CORE)
        if owner.kind == "compartment":
            return f"comp{owner.index}"
        return "core"

    def code_sections(self) -> List[Section]:
        return [s for s in self.allocated if s.executable and s.size]

    def containing(self, addr: int) -> Optional[Section]:
        """The allocated, non-empty section that holds ``addr``."""
        at = bisect.bisect_right(self._starts, addr) - 1
        if at >= 0 and addr < self._by_addr[at].end:
            return self._by_addr[at]
        for section in self._by_addr[:max(at, 0)]:
            if section.addr <= addr < section.end:
                return section
        return None
