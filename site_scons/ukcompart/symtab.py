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

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from . import templates
from .errors import ElfError

SYMTAB_SECTION = ".ukc.symtab"


@dataclass(frozen=True)
class ImageSymbol:
    addr: int
    size: int
    name: str


def _open(path: Path):
    try:
        return ELFFile(open(path, "rb"))
    except (ELFError, OSError) as e:
        raise ElfError(f"{path}: cannot read image: {e}") from None


def image_symbols(path: Path) -> List[ImageSymbol]:
    """Function and object symbols of an image, sorted by address."""
    elf = _open(path)
    try:
        table = elf.get_section_by_name(".symtab")
        if not isinstance(table, SymbolTableSection):
            raise ElfError(f"{path}: no symbol table")
        found = set()
        for sym in table.iter_symbols():
            if sym["st_info"]["type"] not in ("STT_FUNC", "STT_OBJECT"):
                continue
            if not sym.name or not sym["st_value"] \
                    or not isinstance(sym["st_shndx"], int):
                continue
            found.add(ImageSymbol(sym["st_value"], sym["st_size"], sym.name))
        return sorted(found, key=lambda s: (s.addr, s.name))
    finally:
        elf.stream.close()


def source(symbols: List[ImageSymbol]) -> str:
    """The assembly of ``.ukc.symtab`` holding ``symbols``."""
    return templates.render("symtab.S.j2", symbols=symbols)


def section_layout(path: Path):
    """(name, address, size) of every allocated section but the symtab."""
    elf = _open(path)
    try:
        return [(s.name, s["sh_addr"], s["sh_size"])
                for s in elf.iter_sections()
                if s["sh_flags"] & 2 and s.name != SYMTAB_SECTION]
    finally:
        elf.stream.close()


def same_layout(first: Path, second: Path) -> bool:
    """True when both images place every section alike."""
    return section_layout(first) == section_layout(second)
