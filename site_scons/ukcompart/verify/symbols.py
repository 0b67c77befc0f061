"""Checks that each library's symbols ended up where its compartment is.

``symbol-placement``  every defined FUNC or OBJECT symbol of a library's
                      linked object lies, with its whole size, in one of
                      its compartment's sections in the image: for
                      compartment k ``.comp<k>.text/.rodata/.data/.bss``,
                      for the core every section that is not a
                      compartment's or the shared one.  A symbol of a
                      ``.ukc.shared*`` input section belongs in
                      ``.ukc.shared`` instead.  A symbol found in
                      ``.ukc.shared`` whose input section was not shared is
                      left to ``shared-section``, so one mistake is
                      reported once.
``shared-section``    every FUNC or OBJECT symbol in ``.ukc.shared`` was
                      defined in some object's ``.ukc.shared*`` input
                      section (``UKCOMPART_SHARED``).

Globals are matched to the image's symbol table by name; a name defined by
two objects is checked only for the one definition that is not weak.
Locals are matched by name and kind of section (text, rodata, data, bss,
shared, ...), and only when both the objects and the image have exactly
one such symbol; an ambiguous local is not counted.
"""

from collections import Counter, defaultdict
from typing import Dict, List, NamedTuple, Optional, Set, Tuple

from .image import STB_LOCAL, STB_WEAK, STT_FUNC, STT_OBJECT, Symbol
from .regions import SHARED, compartment_part
from .report import Failure
from .subject import Subject

Outcome = Tuple[int, List[Failure]]

# Input section name prefixes -> kind of section, the first match wins
# (.text.boot lands in .boot, not in .text).
_INPUT_KINDS = (
    (".multiboot", "boot"), (".text.boot", "boot"),
    (".ukc.shared", "shared"), (".ukc.gates", "gates"),
    (".ukplat.sup", "sup"), (".ukc.slot", "data"), (".ukc.desc", "desc"),
    (".ukc.symtab", "symtab"), (".uk_inittab", "table"),
    (".text", "text"), (".rodata", "rodata"), (".data.rel.ro", "rodata"),
    (".data", "data"), (".bss", "bss"),
)
_OUTPUT_KINDS = {".boot": "boot", ".text": "text", ".rodata": "rodata",
                 ".data": "data", ".bss": "bss", ".ukc.shared": "shared",
                 ".ukc.gates": "gates", ".ukplat.sup": "sup",
                 ".ukc.desc": "desc", ".ukc.symtab": "symtab"}


# Unikraft's registration tables (init table .uk_inittab<NN>, constructors
# .uk_ctortab<N>, event handlers .uk_event_<name>~, the boot early table,
# library info): whichever library registers an entry, the platform's
# script collects it into the core's table for the core to walk.
_UNIKRAFT_TABLES = (".uk_inittab", ".uk_ctortab", ".uk_event_",
                    ".uk_eventtab", ".uk_boot_earlytab", ".uk_libinfo")


def input_kind(section_name: str) -> Optional[str]:
    if section_name.startswith(_UNIKRAFT_TABLES):
        return "table"
    for prefix, kind in _INPUT_KINDS:
        if section_name == prefix or section_name.startswith(prefix + ".") \
                or (prefix in (".text", ".data", ".bss", ".rodata")
                    and section_name.startswith(prefix)):
            return kind
    return None


def output_kind(section_name: str) -> Optional[str]:
    part = compartment_part(section_name)
    if part is not None:
        return part[1]
    return _OUTPUT_KINDS.get(section_name)


class _Definition(NamedTuple):
    """A FUNC/OBJECT symbol defined by a library object."""

    library: str
    object_name: str
    symbol: Symbol
    section: str                # input section name
    kind: Optional[str]         # input_kind(section)

    @property
    def shared(self) -> bool:
        return self.kind == "shared"

    def describe(self) -> str:
        return f"{self.library} ({self.object_name}, {self.section})"


def _definitions(subject: Subject) -> List[_Definition]:
    """Every library's definitions, computed once per subject."""
    found = subject.memo.get("definitions")
    if found is not None:
        return found
    found = []
    for library, obj in subject.objects.items():
        object_name = obj.path.name
        names = [s.name for s in obj.sections]
        kinds = [input_kind(name) for name in names]
        count = len(names)
        for sym in obj.symbols:
            if (sym.type == STT_FUNC or sym.type == STT_OBJECT) and \
                    sym.name and 0 < sym.shndx < count:
                found.append(_Definition(library, object_name, sym,
                                         names[sym.shndx],
                                         kinds[sym.shndx]))
    subject.memo["definitions"] = found
    return found


def _image_locals(subject: Subject) -> Dict[Tuple[str, str], List[Symbol]]:
    sections = subject.image.sections
    found: Dict[Tuple[str, str], List[Symbol]] = defaultdict(list)
    for sym in subject.image.symbols:
        if sym.bind == STB_LOCAL and sym.type in (STT_FUNC, STT_OBJECT) \
                and sym.defined and sym.shndx < len(sections):
            kind = output_kind(sections[sym.shndx].name)
            found[(sym.name, kind)].append(sym)
    return found


def _match(subject: Subject, definitions: List[_Definition]):
    """Yield (definition, image symbol) for every unambiguous definition."""
    strong = Counter(d.symbol.name for d in definitions
                     if d.symbol.bind != STB_LOCAL
                     and d.symbol.bind != STB_WEAK)
    local_defs = Counter((d.symbol.name, d.kind) for d in definitions
                         if d.symbol.bind == STB_LOCAL)
    image_locals = _image_locals(subject)
    for d in definitions:
        name = d.symbol.name
        if d.symbol.bind != STB_LOCAL:
            if strong[name] > 1 or (d.symbol.bind == STB_WEAK
                                    and strong[name]):
                continue
            yield d, subject.global_symbol(name)
            continue
        candidates = image_locals.get((name, d.kind), [])
        if local_defs[(name, d.kind)] == 1 and len(candidates) == 1:
            yield d, candidates[0]


def symbol_placement(subject: Subject) -> Outcome:
    regions = subject.regions
    shared = regions.section(SHARED)
    allowed_by_compartment = {}
    for k in range(0, subject.count + 1):
        if k == 0:
            allowed_by_compartment[0] = [
                s for s in regions.allocated
                if regions.owners[s.name].kind in ("core", "supervisor")]
        else:
            allowed_by_compartment[k] = [
                s for s in regions.of_compartment(k)
                if not s.name.endswith(".stack")]

    checked = 0
    failures = []
    ranges = {k: [(s.addr, s.end) for s in allowed]
              for k, allowed in allowed_by_compartment.items()}
    shared_range = [(shared.addr, shared.end)] if shared is not None else []
    placement = {lib: subject.reference.compartment_of(lib)
                 for lib in subject.objects}
    for d, sym in _match(subject, _definitions(subject)):
        checked += 1
        if sym is None:
            failures.append(Failure(
                f"{d.symbol.name} of {d.describe()} is not in the image's "
                "symbol table", symbol=d.symbol.name))
            continue
        start, end = sym.value, sym.value + max(sym.size, 1)
        if not d.shared and shared_range and \
                shared_range[0][0] <= start < shared_range[0][1]:
            continue
        # Registration tables are collected into the core's rodata for the
        # core to walk, whoever registered the entry.
        k = 0 if d.kind == "table" else placement[d.library]
        for low, high in shared_range if d.shared else ranges[k]:
            if low <= start and end <= high:
                break
        else:
            failures.append(_misplaced(regions, d, sym, k))
    return checked, failures


def _misplaced(regions, d: _Definition, sym: Symbol, k: int) -> Failure:
    home = regions.containing(sym.value)
    where = f"{home.name} ({regions.owners[home.name].label})" \
        if home is not None else "no section"
    wanted = ".ukc.shared" if d.shared else \
        ("the core's sections" if k == 0
         else f"compartment {k}'s sections (.comp{k}.*)")
    return Failure(
        f"{d.symbol.name} of {d.describe()} lies in {where}, not in "
        f"{wanted}", section=home.name if home is not None else None,
        address=sym.value, symbol=d.symbol.name)


def shared_section(subject: Subject) -> Outcome:
    shared = subject.regions.section(SHARED)
    if shared is None:
        return 0, []
    definitions = _definitions(subject)
    shared_globals: Set[str] = set()
    shared_locals: Set[str] = set()
    origin: Dict[str, _Definition] = {}
    for d in definitions:
        if d.shared:
            (shared_locals if d.symbol.bind == STB_LOCAL
             else shared_globals).add(d.symbol.name)
        origin.setdefault(d.symbol.name, d)

    checked = 0
    failures = []
    for sym in subject.image.symbols:
        if sym.type not in (STT_FUNC, STT_OBJECT) or not sym.defined or \
                not shared.addr <= sym.value < shared.end:
            continue
        checked += 1
        allowed = shared_locals if sym.bind == STB_LOCAL else shared_globals
        if sym.name in allowed:
            continue
        d = origin.get(sym.name)
        source = f"{d.describe()} does not mark it UKCOMPART_SHARED" \
            if d is not None else "no library object defines it there"
        failures.append(Failure(
            f"{sym.name} lies in .ukc.shared, but {source}; only "
            "UKCOMPART_SHARED data may be open to every compartment",
            section=SHARED, address=sym.value, symbol=sym.name))
    return checked, failures
