"""``descriptor-matches``: the table in ``.ukc.desc`` against the reference.

The table is ``struct ukc_desc_table`` of lib/ukcompart/include/uk/
compart/desc.h, generated from templates/desc.S.j2 and found at the symbol
``ukc_desc``.  Little endian, no padding:

    header (56 bytes)  u32 magic 0x44434b55 "UKCD", version 2, count,
                       entry_size 144, mechanism (1 MPK, 2 FCALL),
                       flags; u64 gates start/end, shared start/end
    entry (144 bytes)  char name[32]; u32 key, pkru; u64 start/end of text,
                       rodata, data, bss, guard, stack; u64 sp_slot

Entry 0 is the core (text, rodata, data, bss of the core sections; no
guard, no stack), entry k compartment k.  Each field is compared with
what the configuration implies (names, keys, PKRU values, mechanism,
stack sizes, the flags) or with the image itself (section ranges, the guard's
linker symbols, the stack-pointer slot ``ukc_sp_slot_<k>``).  A field
whose section or symbol is missing is not compared: ``sections-present``
reports the section, ``stack-guard`` a missing guard symbol.  Where the
guard page sits is ``stack-guard``'s business too; here its range only
has to be the one the linker symbols name.

``flags`` bit 0 (``UKC_DESC_XCR0_NO_PKRU``) says the runtime clears the
PKRU state component from XCR0 at boot; it is set exactly when the image
was built in a Unikraft tree (the ``.config`` has ``CONFIG_UK_BASE``),
whose runtime adapter does that, and it is what lets
``xrstor-only-in-gates`` accept Unikraft's XRSTOR (see
:mod:`~ukcompart.verify.code`).
"""

import struct
from typing import List, Optional, Tuple

from .config import MECHANISMS
from .regions import DESC, GATES, SHARED
from .report import Failure
from .subject import Subject

MAGIC = 0x44434b55
VERSION = 2
XCR0_NO_PKRU = 1 << 0
FLAGS_OFFSET = 20
HEADER = struct.Struct("<6I4Q")
ENTRY = struct.Struct("<32s2I13Q")
RANGES = ("text", "rodata", "data", "bss", "guard", "stack")
CORE_SECTIONS = {"text": ".text", "rodata": ".rodata", "data": ".data",
                 "bss": ".bss"}
SYMBOL = "ukc_desc"

Outcome = Tuple[int, List[Failure]]


class _Comparison:
    """Collects field comparisons and their failures."""

    def __init__(self, base: int):
        self.base = base
        self.checked = 0
        self.failures: List[Failure] = []

    def expect(self, what: str, offset: int, found, wanted,
               source: str = "the configuration gives") -> None:
        """Compare one field; a missing counterpart is not compared."""
        if wanted is None or (isinstance(wanted, tuple) and None in wanted):
            return
        self.checked += 1
        if found != wanted:
            self.failures.append(Failure(
                f"{what} is {_show(found)}, {source} {_show(wanted)}",
                section=DESC, address=self.base + offset, symbol=SYMBOL))


def _show(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + ")"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:#x}" if value > 9 else str(value)
    if value is None:
        return "missing"
    return repr(value)


def _range(subject: Subject, name: str) -> Optional[Tuple[int, int]]:
    section = subject.regions.section(name)
    return (section.addr, section.end) if section is not None else None


def table_flags(subject: Subject) -> Optional[int]:
    """The table's ``flags`` word, or None when the table cannot be read.

    ``descriptor-matches`` reports why a table cannot be read, and whether
    its flags are the ones the configuration implies.
    """
    desc = subject.regions.section(DESC)
    symbol = subject.global_symbol(SYMBOL)
    if desc is None or symbol is None:
        return None
    raw = subject.image.read(symbol.value, FLAGS_OFFSET + 4, within=desc)
    if raw is None or int.from_bytes(raw[:4], "little") != MAGIC:
        return None
    return int.from_bytes(raw[FLAGS_OFFSET:], "little")


def descriptor_matches(subject: Subject) -> Outcome:
    image = subject.image
    desc = subject.regions.section(DESC)
    if desc is None:
        return 1, [Failure("no .ukc.desc section, so no descriptor table",
                           section=DESC)]
    symbol = subject.global_symbol(SYMBOL)
    if symbol is None:
        return 1, [Failure(f"no {SYMBOL} symbol: the descriptor table "
                           "(templates/desc.S.j2) is not linked in",
                           section=DESC, address=desc.addr)]
    base = symbol.value
    raw = image.read(base, HEADER.size, within=desc)
    if raw is None or not desc.addr <= base < desc.end:
        return 1, [Failure(f"{SYMBOL} at {base:#x} is not inside .ukc.desc",
                           section=DESC, address=base, symbol=SYMBOL)]

    c = _Comparison(base)
    magic, version, count, entry_size, mechanism, flags, gates_start, \
        gates_end, shared_start, shared_end = HEADER.unpack(raw)
    c.expect("magic", 0, magic, MAGIC, "the format gives")
    c.expect("version", 4, version, VERSION, "the format gives")
    c.expect("count", 8, count, subject.count + 1,
             "the configuration gives (core included)")
    c.expect("entry_size", 12, entry_size, ENTRY.size, "the format gives")
    c.expect("mechanism", 16, mechanism,
             MECHANISMS[subject.reference.mechanism],
             f"CONFIG_UKCOMPART_{subject.reference.mechanism.upper()} gives")
    if subject.reference.embedded:
        c.expect("flags", FLAGS_OFFSET, flags, XCR0_NO_PKRU,
                 "a Unikraft tree's .config (CONFIG_UK_BASE) gives")
    else:
        c.expect("flags", FLAGS_OFFSET, flags, 0,
                 "a standalone .config (no CONFIG_UK_BASE) gives")
    c.expect("gates range", 24, (gates_start, gates_end),
             _range(subject, GATES), "the .ukc.gates section is")
    c.expect("shared range", 40, (shared_start, shared_end),
             _range(subject, SHARED), "the .ukc.shared section is")

    for expected in subject.reference.compartments:
        k = expected.index
        offset = HEADER.size + k * ENTRY.size
        raw = image.read(base + offset, ENTRY.size, within=desc)
        if raw is None:
            c.checked += 1
            c.failures.append(Failure(
                f"entry {k} ({expected.name}) lies past the end of "
                ".ukc.desc", section=DESC, address=base + offset,
                symbol=SYMBOL))
            continue
        _compare_entry(subject, c, k, offset, ENTRY.unpack(raw))
    return c.checked, c.failures


def _compare_entry(subject: Subject, c: _Comparison, k: int, offset: int,
                   fields) -> None:
    expected = subject.reference.compartments[k]
    what = f"comp[{k}] ({expected.name})"
    name = fields[0].split(b"\0", 1)[0].decode("utf-8", "replace")
    c.expect(f"{what} name", offset, name, expected.name)
    c.expect(f"{what} key", offset + 32, fields[1], expected.key)
    c.expect(f"{what} pkru", offset + 36, fields[2], expected.pkru)

    values = fields[3:]
    found = {part: (values[2 * i], values[2 * i + 1])
             for i, part in enumerate(RANGES)}
    sp_slot = values[12]
    for i, part in enumerate(RANGES):
        at = offset + 40 + 16 * i
        if k == 0:
            if part in CORE_SECTIONS:
                wanted = _range(subject, CORE_SECTIONS[part])
                source = f"the {CORE_SECTIONS[part]} section is"
            else:
                wanted, source = (0, 0), "the core has no"
        elif part == "guard":
            wanted = (subject.symbol_value(f"__ukc_comp{k}_guard_start"),
                      subject.symbol_value(f"__ukc_comp{k}_guard_end"))
            source = f"__ukc_comp{k}_guard_start/_end are"
        else:
            wanted = _range(subject, f".comp{k}.{part}")
            source = f"the .comp{k}.{part} section is"
        c.expect(f"{what} {part} range", at, found[part], wanted, source)

    if k:
        start, end = found["stack"]
        c.expect(f"{what} stack size", offset + 120, end - start,
                 expected.stack_size,
                 f"CONFIG_UKCOMPART_COMP{k}_STACK_SIZE gives")
    _compare_sp_slot(subject, c, k, offset + 136, sp_slot, found["stack"])


def _compare_sp_slot(subject: Subject, c: _Comparison, k: int, at: int,
                     sp_slot: int, stack: Tuple[int, int]) -> None:
    what = f"comp[{k}] ({subject.reference.compartments[k].name}) sp_slot"
    c.expect(what, at, sp_slot, subject.symbol_value(f"ukc_sp_slot_{k}"),
             f"ukc_sp_slot_{k} is at")
    data = subject.regions.section(".data" if k == 0 else f".comp{k}.data")
    c.checked += 1
    if data is None or not data.addr <= sp_slot <= data.end - 8:
        c.failures.append(Failure(
            f"{what} {sp_slot:#x} is not in the compartment's own data",
            section=DESC, address=c.base + at, symbol=SYMBOL))
        return
    if k:
        raw = subject.image.read(sp_slot, 8, within=data)
        top = int.from_bytes(raw, "little") if raw is not None else None
        c.checked += 1
        if top is None or not stack[0] < top <= stack[1]:
            c.failures.append(Failure(
                f"{what} holds {_show(top)}, not an address in the stack "
                f"[{stack[0]:#x}, {stack[1]:#x})",
                section=f".comp{k}.data", address=sp_slot,
                symbol=f"ukc_sp_slot_{k}"))
