"""``hardening-applied``: each compartment's code shows the hardening chosen.

For compartment k, ``.config`` chooses a stack protector
(``CONFIG_UKCOMPART_COMP<k>_STACKPROT_{NONE,STRONG,ALL}``), undefined-
behaviour checks in trap mode (``_UBSAN``) and ENDBR64 landing pads
(``_CFPROT``); an option the file does not mention is off.  The code of
``.comp<k>.text`` must carry the evidence of every option chosen and none
of an option not chosen:

stack protector
    The build renames the libraries' references to ``__stack_chk_guard``
    and ``__stack_chk_fail`` to ``__ukc_stack_chk_guard_<k>`` and
    ``__ukc_gate_<k>___stack_chk_fail``.  Evidence: the relocations that
    ``--emit-relocs`` kept in ``.rela.comp<k>.text``.  Chosen: the guard
    lies in ``.comp<k>.data`` (the compartment's own pages), at least one
    function loads it and each function that loads it also calls the
    failure entry; with ``all``, every function entry in the section
    loads it.  Never: a reference to another compartment's guard or
    failure entry, or to the unrenamed symbols.  Not chosen: no reference.
undefined-behaviour checks
    ``-fsanitize-undefined-trap-on-error`` turns each failed check into
    UD2 (``0F 0B``) reached by a conditional jump.  Chosen: at least one
    such UD2; not chosen: none.  A UD2 that GCC's path isolation emits
    after a null dereference is preceded by the load, not jumped to, so
    it does not count; a hand-written ``if (c) __builtin_trap();`` does.
landing pads
    ``-fcf-protection=branch`` starts every function that may be reached
    indirectly with ENDBR64 (``F3 0F 1E FA``, Intel SDM vol. 2).  Chosen:
    every global function of the section starts with it (GCC leaves it
    out of static functions whose address is never taken); not chosen: no
    function starts with it.

Code alone cannot show an option that had nothing to act on (a function
without arrays gets no canary under ``strong``, one without arithmetic no
check), so the compiler's own record comes first: GCC writes its
command-line switches into each compilation unit's ``DW_AT_producer``
(``-grecord-gcc-switches``, on by default with ``-g``), and the unit of
every function of ``.comp<k>.text`` (found through ``.debug_aranges``)
must record exactly the options configured for k.  Only in an image
without that DWARF does the code have to show at least one canary load
or one check for an option chosen.

:func:`check` does the work on any image; :func:`hardening_applied` is
the verifier's check, on the loaded
:class:`~ukcompart.verify.subject.Subject`.
"""

import bisect
import io
import re
import struct
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple, Union

from elftools.common.exceptions import DWARFError, ELFError
from elftools.elf.elffile import ELFFile

from . import image as elfimage
from .code import x86_64_disassembler
from .image import ElfFile, STB_GLOBAL, STB_WEAK, STT_FUNC
from .report import Failure

ENDBR64 = b"\xf3\x0f\x1e\xfa"
STACKPROT_MODES = ("NONE", "STRONG", "ALL")
_GUARD = re.compile(r"^(__stack_chk_guard|__ukc_stack_chk_guard_(\d+))$")
_FAIL = re.compile(r"^(__stack_chk_fail|__ukc_gate_(\d+)___stack_chk_fail)$")
# Parts GCC splits off a function (``f.cold``, ``f.part.0``): not entries.
_PART = re.compile(r"\.(cold|part|isra|constprop|lto_priv)(\.\d+)?")


def _wanted(config: Dict[str, str], k: int) -> Tuple[str, bool, bool]:
    """(stack protector mode, ubsan, cfprot) of compartment k."""
    def is_set(option: str) -> bool:
        return config.get(f"UKCOMPART_COMP{k}_{option}") == "y"

    mode = next((m for m in STACKPROT_MODES[1:]
                 if is_set(f"STACKPROT_{m}")), "NONE")
    return mode.lower(), is_set("UBSAN"), is_set("CFPROT")


def _recorded(producer: str) -> Tuple[str, bool, bool]:
    """(stack protector, ubsan, cfprot) in GCC's recorded switches; the
    last of conflicting switches wins, as on GCC's command line."""
    mode, ubsan, trap, cfprot = "none", False, False, False
    for switch in producer.split():
        if switch == "-fno-stack-protector":
            mode = "none"
        elif switch in ("-fstack-protector-strong", "-fstack-protector-all"):
            mode = switch.rsplit("-", 1)[1]
        elif switch == "-fsanitize=undefined":
            ubsan = True
        elif switch == "-fno-sanitize=undefined":
            ubsan = False
        elif switch == "-fsanitize-undefined-trap-on-error":
            trap = True
        elif switch.startswith("-fcf-protection="):
            cfprot = switch.split("=", 1)[1] in ("branch", "full")
    return mode, ubsan and trap, cfprot


class _Units:
    """The DWARF compilation units of some functions, with what GCC
    recorded in each.

    ``.debug_aranges`` maps an address to its unit; only the units of the
    functions asked about are parsed (a Unikraft image has about a
    hundred, most of them the core's).  ``available`` is False for an
    image without that DWARF or with DWARF pyelftools cannot read; the
    code is then judged alone.
    """

    def __init__(self, elf: ElfFile, addresses: Iterable[int]):
        self.available = False
        self.offsets: Dict[int, int] = {}
        self.table: Dict[int, Tuple[str, Tuple]] = {}
        if elf.section(".debug_info") is None or \
                elf.section(".debug_aranges") is None:
            return
        try:
            # A linked image's DWARF is relocated already; what
            # --emit-relocs kept of its relocations is not to be applied
            # again.
            dwarf = ELFFile(io.BytesIO(elf.data)).get_dwarf_info(
                relocate_dwarf_sections=False)
            aranges = dwarf.get_aranges()
            if aranges is None:
                return
            for addr in addresses:
                try:
                    self.offsets[addr] = aranges.cu_offset_at_addr(addr)
                except (IndexError, ValueError):
                    continue
            for offset in sorted(set(self.offsets.values())):
                unit = self._read(dwarf.get_CU_at(offset).get_top_DIE())
                if unit is not None:
                    self.table[offset] = unit
        except (ELFError, DWARFError, ValueError, KeyError, IndexError,
                AssertionError, struct.error):
            self.offsets, self.table = {}, {}
            return
        self.available = True

    @staticmethod
    def _read(top) -> Optional[Tuple[str, Tuple]]:
        """(unit name, recorded options) of a GNU C unit, else None."""
        producer = top.attributes.get("DW_AT_producer")
        name = top.attributes.get("DW_AT_name")
        if producer is None or not isinstance(producer.value, bytes) \
                or not producer.value.startswith(b"GNU C"):
            return None
        return (name.value.decode("latin-1") if name else "?",
                _recorded(producer.value.decode("latin-1")))


def _switches(code: "_Code", units: _Units,
              wanted: Tuple[str, bool, bool],
              failures: List[Failure]) -> int:
    """Every unit of the compartment's functions records ``wanted``."""
    seen: Dict[int, int] = {}
    for start, name, _ in code.entries():
        offset = units.offsets.get(start)
        if offset in units.table:
            seen.setdefault(offset, start)
    labels = ("stack protector", "undefined-behaviour checks",
              "landing pads")
    for offset, start in sorted(seen.items()):
        unit, recorded = units.table[offset]
        for label, want, got in zip(labels, wanted, recorded):
            if want != got:
                failures.append(Failure(
                    f"{unit} was compiled with {label} "
                    f"{_shown(got)}, but compartment {code.k} is configured "
                    f"with {_shown(want)}", section=code.name,
                    address=start, symbol=code.function_at(start)))
    return len(seen)


def _shown(value) -> str:
    return value if isinstance(value, str) else ("on" if value else "off")


class _Code:
    """One compartment's text: bytes, functions, relocations by symbol."""

    def __init__(self, elf: ElfFile, k: int):
        self.k = k
        self.name = f".comp{k}.text"
        section = elf.section(self.name)
        self.section = section
        self.addr = section.addr if section else 0
        self.data = elf.bytes_of(section) if section else b""
        self.end = self.addr + len(self.data)
        self.functions: List[Tuple[int, int, str, bool]] = []
        self.references: List[Tuple[int, str]] = []
        if section is None:
            return
        for sym in elf.symbols:
            if sym.type == STT_FUNC and self.addr <= sym.value < self.end:
                self.functions.append((sym.value, sym.size, sym.name,
                                       sym.bind in (STB_GLOBAL, STB_WEAK)))
        self.functions.sort()
        for rel in elf.relocations(section, None):
            name = elf.symbols[rel.symbol].name
            if name:
                self.references.append((rel.offset, name))

    def function_at(self, addr: int) -> Optional[str]:
        at = bisect.bisect_right(self.functions, (addr, float("inf"))) - 1
        if at >= 0:
            start, size, name, _ = self.functions[at]
            if addr < start + max(size, 1):
                return name
        return None

    def entries(self) -> List[Tuple[int, str, bool]]:
        return [(start, name, is_global)
                for start, size, name, is_global in self.functions
                if size and not _PART.search(name)]


def _stack_protector(code: _Code, elf: ElfFile, mode: str, dwarf: bool,
                     failures: List[Failure]) -> int:
    k = code.k
    guard, fail = f"__ukc_stack_chk_guard_{k}", \
        f"__ukc_gate_{k}___stack_chk_fail"
    loads: Set[str] = set()
    fails: Set[str] = set()
    for addr, name in code.references:
        function = code.function_at(addr) or "?"
        for pattern, own, found in ((_GUARD, guard, loads),
                                    (_FAIL, fail, fails)):
            if not pattern.match(name):
                continue
            if name != own:
                failures.append(Failure(
                    f"compartment {k} references {name}, which is not its "
                    f"own ({own}): the canary must be the compartment's",
                    section=code.name, address=addr, symbol=function))
            else:
                found.add(function)

    if mode == "none":
        for function in sorted(loads | fails):
            failures.append(Failure(
                f"compartment {k} has no stack protector configured, but "
                f"{function} uses {guard}", section=code.name,
                symbol=function))
        return len(code.entries())

    data = elf.section(f".comp{k}.data")
    where = next((s.value for s in elf.symbols
                  if s.name == guard and s.defined), None)
    if where is None:
        failures.append(Failure(
            f"stack protector {mode} configured, but {guard} is not "
            "defined", section=code.name, symbol=guard))
    elif data is None or not data.addr <= where < data.end:
        failures.append(Failure(
            f"{guard} lies outside .comp{k}.data: the canary must be in "
            "the compartment's own pages", address=where, symbol=guard))
    if not loads and not dwarf:
        failures.append(Failure(
            f"stack protector {mode} configured, but no function of "
            f"compartment {k} loads {guard}", section=code.name))
    for function in sorted(loads - fails):
        failures.append(Failure(
            f"{function} loads {guard} but never calls {fail}: a canary "
            "that is not checked", section=code.name, symbol=function))
    if mode == "all":
        for start, name, _ in code.entries():
            if name not in loads:
                failures.append(Failure(
                    f"stack protector all configured, but {name} has no "
                    "canary", section=code.name, address=start, symbol=name))
    return len(code.entries())


def _trap_checks(code: _Code) -> List[int]:
    """Addresses of UD2 instructions that a conditional jump targets."""
    disassembler = x86_64_disassembler()
    targets: Set[int] = set()
    traps: Set[int] = set()
    for addr, _size, mnemonic, op_str in disassembler.disasm_lite(
            code.data, code.addr):
        if mnemonic == "ud2":
            traps.add(addr)
        elif mnemonic.startswith("j") and mnemonic != "jmp" and \
                op_str.startswith("0x"):
            targets.add(int(op_str, 16))
    return sorted(traps & targets)


def _ubsan(code: _Code, chosen: bool, dwarf: bool,
           failures: List[Failure]) -> int:
    checks = _trap_checks(code)
    if chosen and not checks and code.entries() and not dwarf:
        failures.append(Failure(
            f"undefined-behaviour checks configured for compartment "
            f"{code.k}, but its code has no UD2 behind a conditional jump",
            section=code.name))
    if not chosen:
        for addr in checks:
            failures.append(Failure(
                f"UD2 behind a conditional jump (an undefined-behaviour "
                f"check) in compartment {code.k}, which has none configured",
                section=code.name, address=addr,
                symbol=code.function_at(addr)))
    return len(checks)


def _landing_pads(code: _Code, chosen: bool,
                  failures: List[Failure]) -> int:
    entries = code.entries()
    for start, name, is_global in entries:
        at = start - code.addr
        padded = code.data[at:at + len(ENDBR64)] == ENDBR64
        if chosen and is_global and not padded:
            failures.append(Failure(
                "landing pads configured, but this function does not start "
                "with ENDBR64", section=code.name, address=start,
                symbol=name))
        elif not chosen and padded:
            failures.append(Failure(
                f"function starts with ENDBR64, but compartment {code.k} has "
                "no landing pads configured", section=code.name,
                address=start, symbol=name))
    return len(entries)


def check(image: Union[Path, str, ElfFile], layout: dict,
          config: Dict[str, str]) -> List[Failure]:
    """Every failure of ``hardening-applied`` in ``image``.

    ``image`` is the linked 64-bit image (``<app>_qemu-x86_64.dbg``,
    linked with ``--emit-relocs``), as a path or as loaded by
    :func:`ukcompart.verify.image.load`; ``layout`` the parsed
    ``layout.json``, whose ``compartments`` say which exist; ``config``
    the ``.config`` values without the ``CONFIG_`` prefix (``"n"`` or
    absent for an unset option).  Returns one
    :class:`~ukcompart.verify.report.Failure` per piece of missing or
    unexpected evidence (message, section, address, symbol), an empty list
    when every compartment shows exactly its hardening.
    """
    if not isinstance(image, ElfFile):
        image = elfimage.load(Path(image))
    return _run(image, layout.get("compartments", []), config)[1]


def _run(image: ElfFile, compartments: Iterable[dict],
         config: Dict[str, str]) -> Tuple[int, List[Failure]]:
    failures: List[Failure] = []
    checked = 0
    # sections-present reports a compartment without its text section.
    codes = [code for code in (_Code(image, comp.get("index", 0))
                               for comp in compartments
                               if comp.get("index", 0) != 0)
             if code.section is not None]
    units = _Units(image, [start for code in codes
                           for start, _, _ in code.entries()])
    for code in codes:
        mode, ubsan, cfprot = _wanted(config, code.k)
        if units.available:
            checked += _switches(code, units, (mode, ubsan, cfprot),
                                 failures)
        checked += _stack_protector(code, image, mode, units.available,
                                    failures)
        checked += _ubsan(code, ubsan, units.available, failures)
        checked += _landing_pads(code, cfprot, failures)
    return checked, failures


def hardening_applied(subject) -> Tuple[int, List[Failure]]:
    """The verifier's check: :func:`check` on a loaded subject."""
    from .config import _values

    # The compartments come from the configuration, as in every check, so
    # an image is measured against the .config and not against itself.
    compartments = [{"index": c.index, "name": c.name}
                    for c in subject.reference.compartments]
    return _run(subject.image, compartments,
                _values(Path(subject.reference.path)))
