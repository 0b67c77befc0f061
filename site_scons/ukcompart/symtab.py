"""The in-image symbol table, so a fault report can name what was touched.

The image is linked twice.  The first link has an empty ``.ukc.symtab``;
its function and object symbols are written, sorted, into ``symtab.S``,
which the second link adds.  ``.ukc.symtab`` is the last section of the
image, so its size moves no other address; :func:`same_layout` checks that
both links agree on everything before it.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import List

from . import templates

SYMTAB_SECTION = ".ukc.symtab"


@dataclass(frozen=True)
class ImageSymbol:
    addr: int
    size: int
    name: str


def _load(path: Path):
    """The image, read with the verifier's ELF reader (one-line errors)."""
    from .verify import image

    return image.load(path, "image")


def image_symbols(path: Path) -> List[ImageSymbol]:
    """Function and object symbols of an image, sorted by address."""
    from .verify.image import STT_FUNC, STT_OBJECT

    elf = _load(path)
    found = {ImageSymbol(sym.value, sym.size, sym.name)
             for sym in elf.symbols
             if sym.type in (STT_FUNC, STT_OBJECT) and sym.name
             and sym.value and 0 < sym.shndx < len(elf.sections)}
    return sorted(found, key=lambda s: (s.addr, s.name))


def source(symbols: List[ImageSymbol]) -> str:
    """The assembly of ``.ukc.symtab`` holding ``symbols``."""
    return templates.render("symtab.S.j2", symbols=symbols)


def section_layout(path: Path):
    """(name, address, size) of every allocated section but the symtab."""
    return [(s.name, s.addr, s.size) for s in _load(path).sections
            if s.alloc and s.name != SYMTAB_SECTION]


def same_layout(first: Path, second: Path) -> bool:
    """True when both images place every section alike."""
    return section_layout(first) == section_layout(second)
