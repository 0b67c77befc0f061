"""What one verification looks at, loaded once: image, reference, objects.

:func:`load` reads every input before any check runs, so every input
problem is reported as one :class:`~ukcompart.verify.errors.BadInput`
before anything is printed, and the checks work on consistent tables.
"""

import bisect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Optional

from . import config, image, manifest
from .errors import BadInput
from .image import ElfFile, STT_FUNC, STT_OBJECT, Symbol
from .regions import Regions, compartment_part


@dataclass
class Subject:
    image: ElfFile
    reference: config.Reference
    manifest: Optional[manifest.Manifest]
    objects: Dict[str, ElfFile]
    regions: Regions
    # Tables derived once, on first use, by the checks that need them.
    memo: Dict[str, object] = field(default_factory=dict, repr=False)

    @property
    def count(self) -> int:
        return self.reference.count

    def global_symbol(self, name: str) -> Optional[Symbol]:
        """The image's defined global (or weak) symbol ``name``."""
        table = self.memo.get("globals")
        if table is None:
            table = {}
            for sym in self.image.symbols:
                if sym.bind != image.STB_LOCAL and sym.defined and sym.name:
                    table.setdefault(sym.name, sym)
            self.memo["globals"] = table
        return table.get(name)

    def symbol_value(self, name: str) -> Optional[int]:
        sym = self.global_symbol(name)
        if sym is None:
            sym = next((s for s in self.image.symbols
                        if s.name == name and s.defined), None)
        return sym.value if sym is not None else None

    def symbol_at(self, addr: int) -> Optional[str]:
        """``name`` or ``name+0x10`` of the function or object at ``addr``."""
        by_address = self.memo.get("by_address")
        if by_address is None:
            named = sorted((s for s in self.image.symbols
                            if s.type in (STT_FUNC, STT_OBJECT)
                            and s.defined and s.name),
                           key=lambda s: s.value)
            by_address = ([s.value for s in named], named)
            self.memo["by_address"] = by_address
        values, named = by_address
        at = bisect.bisect_right(values, addr) - 1
        if at < 0:
            return None
        sym = named[at]
        if addr == sym.value:
            return sym.name
        if addr < sym.value + max(sym.size, 1):
            return f"{sym.name}+{addr - sym.value:#x}"
        return None


def load(image_path: Path, config_path: Path,
         layout_path: Optional[Path] = None) -> Subject:
    """Read the image, the ``.config`` and, with compartments on, the
    ``layout.json`` and every library object it names."""
    image_path = Path(image_path)
    if not image_path.is_file():
        raise BadInput(f"{image_path}: no such image; pass the linked "
                       "64-bit image <build>/<app>_qemu-x86_64.dbg")
    reference = config.read(Path(config_path))
    elf = image.load(image_path, "image")
    regions = Regions(elf)
    if not reference.enabled:
        return Subject(elf, reference, None, {}, regions)

    if not any(compartment_part(s.name) for s in regions.allocated):
        raise BadInput(f"{image_path}: no .comp<k> sections although "
                       f"{reference.path} sets CONFIG_UKCOMPART=y; pass the "
                       "image built from this .config, or the .config this "
                       "image was built from")
    layout_path = Path(layout_path) if layout_path \
        else manifest.default_path(image_path)
    found = manifest.read(layout_path, image_path.parent)
    for library in found.objects:
        k = reference.compartment_of(library)
        if k > reference.count:
            raise BadInput(
                f"{reference.path}: CONFIG_{config.library_option(library)}"
                f"={k} but CONFIG_UKCOMPART_NUM={reference.count}; "
                "run scons olddefconfig and rebuild")
    objects = {}
    for library, path in sorted(found.objects.items()):
        if not path.is_file():
            raise BadInput(f"{path}: no such object (the linked object of "
                           f"{library}, named by {layout_path}); rebuild "
                           "with scons build")
        objects[library] = image.load(path, "object")
    return Subject(elf, reference, found, objects, regions)
