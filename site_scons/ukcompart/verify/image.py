"""Loading the image and the libraries' objects: ELF64 x86_64, read once.

A file is read into memory in one piece and its tables are decoded
straight from the bytes with ``struct`` (ELF-64 Object File Format, 1.5:
``Elf64_Ehdr`` 64 bytes, ``Elf64_Shdr`` 64, ``Elf64_Phdr`` 56,
``Elf64_Sym`` 24, ``Elf64_Rela`` 24).  Hand-decoded where pyelftools
would serve, for speed: pyelftools spends about 70 µs on each section
header, and objects built with ``-ffunction-sections`` have hundreds, so
reading a Unikraft build's objects through it took most of the
verifier's time (and of the gate scan's, which reads them too).
pyelftools still reads the DWARF (:mod:`.hardening`).  Section contents
are never copied: checks search the file buffer between a section's
bounds.

Everything that can fail on a corrupt file happens in :func:`load`, under
:func:`~ukcompart.verify.errors.reading`, so what comes out is either an
:class:`ElfFile` whose tables are consistent with the file's size or a
:class:`~ukcompart.verify.errors.BadInput`.
"""

import struct
from pathlib import Path
from typing import Dict, Iterable, List, NamedTuple, Optional

from .errors import BadInput, reading

SHT_SYMTAB = 2
SHT_RELA = 4
SHT_NOBITS = 8
SHF_WRITE = 0x1
SHF_ALLOC = 0x2
SHF_EXECINSTR = 0x4
PT_LOAD = 1
EM_X86_64 = 62

SHN_UNDEF = 0
SHN_LORESERVE = 0xff00
SHN_ABS = 0xfff1
SHN_COMMON = 0xfff2

STB_LOCAL, STB_GLOBAL, STB_WEAK = 0, 1, 2
STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION, STT_FILE = 0, 1, 2, 3, 4

_SYM = struct.Struct("<IBBHQQ")
_RELA = struct.Struct("<QQq")
_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_SHDR = struct.Struct("<IIQQQQIIQQ")
_PHDR = struct.Struct("<IIQQQQQQ")
SHN_XINDEX = 0xffff


class Section(NamedTuple):
    index: int
    name: str
    type: int
    flags: int
    addr: int
    offset: int
    size: int
    link: int
    info: int
    entsize: int

    @property
    def end(self) -> int:
        return self.addr + self.size

    @property
    def alloc(self) -> bool:
        return bool(self.flags & SHF_ALLOC)

    @property
    def executable(self) -> bool:
        return bool(self.flags & SHF_EXECINSTR)

    @property
    def nobits(self) -> bool:
        return self.type == SHT_NOBITS


class Segment(NamedTuple):
    type: int
    vaddr: int
    memsz: int
    flags: int = 0              # PF_X 1, PF_W 2, PF_R 4

    @property
    def end(self) -> int:
        return self.vaddr + self.memsz


class Symbol(NamedTuple):
    name: str
    value: int
    size: int
    bind: int
    type: int
    shndx: int

    @property
    def defined(self) -> bool:
        """In a section, or absolute (ld makes some script symbols so)."""
        return self.shndx != SHN_UNDEF and (self.shndx < SHN_LORESERVE
                                            or self.shndx == SHN_ABS)


class Relocation(NamedTuple):
    offset: int
    type: int
    symbol: int
    addend: int


class ElfFile:
    """One ELF file: its bytes, sections, segments and symbol table."""

    def __init__(self, path: Path, data: bytes, sections: List[Section],
                 segments: List[Segment], symbols: List[Symbol],
                 symtab_index: Optional[int]):
        self.path = path
        self.data = data
        self.sections = sections
        self.segments = segments
        self.symbols = symbols
        self.symtab_index = symtab_index
        self.by_name: Dict[str, Section] = {}
        for section in sections:
            self.by_name.setdefault(section.name, section)

    def section(self, name: str) -> Optional[Section]:
        return self.by_name.get(name)

    def bytes_of(self, section: Section) -> bytes:
        """The contents of ``section`` (empty for NOBITS)."""
        if section.nobits:
            return b""
        return self.data[section.offset:section.offset + section.size]

    def read(self, addr: int, size: int,
             within: Optional[Section] = None) -> Optional[bytes]:
        """``size`` bytes at address ``addr``, if a section holds them.

        ``within`` names the section to read from, where sections overlap.
        """
        for section in [within] if within is not None else self.sections:
            if section.alloc and not section.nobits and \
                    section.addr <= addr and addr + size <= section.end:
                start = section.offset + addr - section.addr
                return self.data[start:start + size]
        return None

    def relocations(self, target: Section,
                    types: Optional[Iterable[int]]) -> List[Relocation]:
        """The ``SHT_RELA`` entries of ``types`` (None: all) applying to
        ``target``.

        Entries naming a symbol past the end of the symbol table are
        dropped: they cannot be resolved, and the code they patch is still
        scanned instruction by instruction.
        """
        wanted = frozenset(types) if types is not None else None
        count = len(self.symbols)
        found: List[Relocation] = []
        for section in self.sections:
            if section.type != SHT_RELA or section.info != target.index \
                    or section.link != self.symtab_index:
                continue
            start = section.offset
            raw = self.data[start:start + section.size // _RELA.size
                            * _RELA.size]
            found += [Relocation(offset, info & 0xffffffff, info >> 32,
                                 addend)
                      for offset, info, addend in _RELA.iter_unpack(raw)
                      if (wanted is None or info & 0xffffffff in wanted)
                      and info >> 32 < count]
        return found


def _not_elf_remedy(kind: str) -> str:
    if kind == "image":
        return "pass the linked 64-bit image <build>/<app>_qemu-x86_64.dbg"
    return "rebuild it with scons build"


def _check_header(path: Path, data: bytes, kind: str) -> tuple:
    """The ELF header's fields (``_EHDR``), once it is one this reads."""
    what = "ELF image" if kind == "image" else "object"
    if data[:4] != b"\x7fELF":
        raise BadInput(f"{path}: not an ELF file; {_not_elf_remedy(kind)}")
    if len(data) < _EHDR.size:
        raise BadInput(f"{path}: truncated {what} ({len(data)} bytes, "
                       f"shorter than the ELF header); "
                       f"{_not_elf_remedy(kind)}")
    if data[4] == 1:
        if kind == "image":
            raise BadInput(f"{path}: a 32-bit ELF (the multiboot copy QEMU "
                           f"boots); pass the 64-bit image {path.name}.dbg "
                           "beside it")
        raise BadInput(f"{path}: a 32-bit ELF object; rebuild it with "
                       "scons build")
    if data[4] != 2 or data[5] != 1:
        raise BadInput(f"{path}: not a little-endian ELF64 file; "
                       f"{_not_elf_remedy(kind)}")
    fields = _EHDR.unpack_from(data)
    machine, shoff, shentsize, shnum = fields[2], fields[6], fields[11], \
        fields[12]
    if machine != EM_X86_64:
        raise BadInput(f"{path}: built for ELF machine {machine}, not "
                       f"x86_64; {_not_elf_remedy(kind)}")
    if shoff == 0 or shnum == 0:
        raise BadInput(f"{path}: {what} has no section headers; "
                       f"{_not_elf_remedy(kind)}")
    if shoff + shnum * shentsize > len(data):
        raise BadInput(f"{path}: truncated {what}: its section headers end "
                       f"at offset {shoff + shnum * shentsize:#x}, past the "
                       f"end of the file ({len(data):#x}); rebuild it")
    return fields


def _symbols(path: Path, data: bytes, sections: List[Section],
             symtab: Section) -> List[Symbol]:
    if symtab.entsize != _SYM.size or symtab.size % _SYM.size \
            or not 0 < symtab.link < len(sections):
        raise BadInput(f"{path}: corrupt .symtab (entry size "
                       f"{symtab.entsize}, size {symtab.size}); rebuild it")
    strtab = sections[symtab.link]
    # Latin-1 maps each byte to one character, so string offsets stay byte
    # offsets; symbol names are ASCII in practice.  The added NUL ends a
    # last name that lacks one; an offset past the table gives "".
    names = data[strtab.offset:strtab.offset + strtab.size] \
        .decode("latin-1") + "\0"
    end = names.find
    raw = data[symtab.offset:symtab.offset + symtab.size]
    new = tuple.__new__         # Symbol(...) without its keyword handling
    return [new(Symbol, (names[st_name:end("\0", st_name)], value, size,
                         info >> 4, info & 0xf, shndx))
            for st_name, info, _other, shndx, value, size
            in _SYM.iter_unpack(raw)]


def _sections(path: Path, data: bytes, fields: tuple,
              what: str) -> List[Section]:
    """The section headers, named from the section-name string table
    (its index may be escaped to section 0's ``sh_link``, 1.5)."""
    shoff, shentsize, shnum, shstrndx = fields[6], fields[11], fields[12], \
        fields[13]
    if shentsize != _SHDR.size:
        raise BadInput(f"{path}: corrupt {what}: section header size "
                       f"{shentsize}, not {_SHDR.size}; rebuild it")
    raw = [_SHDR.unpack_from(data, shoff + i * _SHDR.size)
           for i in range(shnum)]
    if shstrndx == SHN_XINDEX:
        shstrndx = raw[0][6]
    if not 0 < shstrndx < shnum:
        raise BadInput(f"{path}: corrupt {what}: section-name table index "
                       f"{shstrndx} of {shnum} sections; rebuild it")
    strtab = raw[shstrndx]
    names = data[strtab[4]:strtab[4] + strtab[5]].decode("latin-1") + "\0"
    end = names.find
    return [Section(index, names[name:end("\0", name)], sh_type, flags,
                    addr, offset, size, link, info, entsize)
            for index, (name, sh_type, flags, addr, offset, size, link, info,
                        _align, entsize) in enumerate(raw)]


def _segments(path: Path, data: bytes, fields: tuple,
              what: str) -> List[Segment]:
    phoff, phentsize, phnum = fields[5], fields[9], fields[10]
    if phnum == 0:
        return []
    if phentsize != _PHDR.size or phoff + phnum * _PHDR.size > len(data):
        raise BadInput(f"{path}: corrupt {what}: program headers "
                       f"({phnum} of {phentsize} bytes at {phoff:#x}) do not "
                       "fit the file; rebuild it")
    segments = []
    for i in range(phnum):
        p_type, flags, _offset, vaddr, _paddr, _filesz, memsz, _align = \
            _PHDR.unpack_from(data, phoff + i * _PHDR.size)
        segments.append(Segment(p_type, vaddr, memsz, flags))
    return segments


def load(path: Path, kind: str = "image") -> ElfFile:
    """Read ``path`` (``kind`` is ``image`` or ``object``) completely.

    Raises :class:`BadInput` for anything that is not a consistent ELF64
    x86_64 file with a symbol table.
    """
    path = Path(path)
    what = "ELF image" if kind == "image" else "object"
    remedy = _not_elf_remedy(kind) if kind == "image" \
        else "rebuild it with scons build"
    with reading(path, what, remedy):
        data = path.read_bytes()
        fields = _check_header(path, data, kind)
        sections = _sections(path, data, fields, what)
        segments = _segments(path, data, fields, what)
        for section in sections:
            if not section.nobits and section.type != 0 and \
                    section.offset + section.size > len(data):
                raise BadInput(
                    f"{path}: truncated {what}: section "
                    f"{section.name or '#%d' % section.index} ends at offset "
                    f"{section.offset + section.size:#x}, "
                    f"past the end of the file ({len(data):#x}); rebuild it")

        symtab = next((s for s in sections if s.type == SHT_SYMTAB), None)
        if symtab is None:
            if kind == "image":
                raise BadInput(f"{path}: no .symtab (a stripped image); pass "
                               "the unstripped <build>/<app>_qemu-x86_64.dbg")
            raise BadInput(f"{path}: object has no symbol table; rebuild it "
                           "with scons build")
        symbols = _symbols(path, data, sections, symtab)
    return ElfFile(path, data, sections, segments, symbols, symtab.index)
