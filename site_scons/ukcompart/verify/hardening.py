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
import re
import struct
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple, Union

from elftools.common.exceptions import DWARFError, ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.relocation import RelocationSection
from elftools.elf.sections import SymbolTableSection

from .code import x86_64_disassembler
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


def _units(elf: ELFFile) -> Optional[Tuple[object, Dict[int, Tuple]]]:
    """``.debug_aranges`` and each C unit's (name, recorded options)."""
    if not elf.has_dwarf_info():
        return None
    units = {}
    try:
        # A linked image's DWARF is relocated already; what --emit-relocs
        # kept of its relocations is not to be applied again.
        dwarf = elf.get_dwarf_info(relocate_dwarf_sections=False)
        aranges = dwarf.get_aranges()
        if aranges is None:
            return None
        for cu in dwarf.iter_CUs():
            top = cu.get_top_DIE()
            producer = top.attributes.get("DW_AT_producer")
            name = top.attributes.get("DW_AT_name")
            if producer is None or not isinstance(producer.value, bytes) \
                    or not producer.value.startswith(b"GNU C"):
                continue
            units[cu.cu_offset] = (
                name.value.decode("latin-1") if name else "?",
                _recorded(producer.value.decode("latin-1")))
    except (ELFError, DWARFError, ValueError, KeyError, IndexError,
            AssertionError, struct.error):
        return None             # unreadable DWARF: judge by the code alone
    return aranges, units


def _switches(code: "_Code", units, wanted: Tuple[str, bool, bool],
              failures: List[Failure]) -> int:
    """Every unit of the compartment's functions records ``wanted``."""
    aranges, table = units
    seen: Dict[int, int] = {}
    for start, name, _ in code.entries():
        try:
            offset = aranges.cu_offset_at_addr(start)
        except (IndexError, ValueError):
            continue
        if offset in table:
            seen.setdefault(offset, start)
    labels = ("stack protector", "undefined-behaviour checks",
              "landing pads")
    for offset, start in sorted(seen.items()):
        unit, recorded = table[offset]
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

    def __init__(self, elf: ELFFile, k: int):
        self.k = k
        self.name = f".comp{k}.text"
        section = elf.get_section_by_name(self.name)
        self.section = section
        self.addr = section["sh_addr"] if section else 0
        self.data = section.data() if section and \
            section["sh_type"] != "SHT_NOBITS" else b""
        self.end = self.addr + len(self.data)
        self.functions: List[Tuple[int, int, str, bool]] = []
        self.references: List[Tuple[int, str]] = []
        symtab = elf.get_section_by_name(".symtab")
        if section is None or not isinstance(symtab, SymbolTableSection):
            return
        for sym in symtab.iter_symbols():
            if sym["st_info"]["type"] == "STT_FUNC" and \
                    self.addr <= sym["st_value"] < self.end:
                self.functions.append((
                    sym["st_value"], sym["st_size"], sym.name,
                    sym["st_info"]["bind"] in ("STB_GLOBAL", "STB_WEAK")))
        self.functions.sort()
        rela = elf.get_section_by_name(".rela" + self.name)
        if isinstance(rela, RelocationSection):
            for rel in rela.iter_relocations():
                sym = symtab.get_symbol(rel["r_info_sym"])
                if sym is not None and sym.name:
                    self.references.append((rel["r_offset"], sym.name))

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


def _stack_protector(code: _Code, elf: ELFFile, mode: str, dwarf: bool,
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

    symtab = elf.get_section_by_name(".symtab")
    data = elf.get_section_by_name(f".comp{k}.data")
    where = next((s["st_value"] for s in symtab.iter_symbols()
                  if s.name == guard and s["st_shndx"] != "SHN_UNDEF"),
                 None) if symtab else None
    if where is None:
        failures.append(Failure(
            f"stack protector {mode} configured, but {guard} is not "
            "defined", section=code.name, symbol=guard))
    elif data is None or not data["sh_addr"] <= where < \
            data["sh_addr"] + data["sh_size"]:
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


def check(image: Union[Path, str, ELFFile], layout: dict,
          config: Dict[str, str]) -> List[Failure]:
    """Every failure of ``hardening-applied`` in ``image``.

    ``image`` is the linked 64-bit image (``<app>_qemu-x86_64.dbg``,
    linked with ``--emit-relocs``), as a path or a pyelftools
    ``ELFFile``; ``layout`` the parsed ``layout.json``, whose
    ``compartments`` say which exist; ``config`` the ``.config`` values
    without the ``CONFIG_`` prefix (``"n"`` or absent for an unset
    option).  Returns one :class:`~ukcompart.verify.report.Failure` per
    piece of missing or unexpected evidence (message, section, address,
    symbol), an empty list when every compartment shows exactly its
    hardening.
    """
    return _run(image, layout, config)[1]


def _run(image, layout: dict, config: Dict[str, str]):
    if not isinstance(image, ELFFile):
        with open(image, "rb") as f:
            return _run(ELFFile(f), layout, config)
    failures: List[Failure] = []
    checked = 0
    units = _units(image)
    for comp in layout.get("compartments", []):
        k = comp.get("index", 0)
        if k == 0:
            continue
        mode, ubsan, cfprot = _wanted(config, k)
        code = _Code(image, k)
        if code.section is None:
            continue            # sections-present reports it
        if units is not None:
            checked += _switches(code, units, (mode, ubsan, cfprot),
                                 failures)
        checked += _stack_protector(code, image, mode, units is not None,
                                    failures)
        checked += _ubsan(code, ubsan, units is not None, failures)
        checked += _landing_pads(code, cfprot, failures)
    return checked, failures


def hardening_applied(subject) -> Tuple[int, List[Failure]]:
    """The verifier's check: :func:`check` on a loaded subject."""
    from .config import _values

    # The compartments come from the configuration, as in every check, so
    # an image is measured against the .config and not against itself.
    layout = {"compartments": [{"index": c.index, "name": c.name}
                               for c in subject.reference.compartments]}
    return _run(Path(subject.image.path), layout,
                _values(Path(subject.reference.path)))
