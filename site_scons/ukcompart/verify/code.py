"""Checks of the code: no PKRU or XSAVE-state writes, no gate bypass.

``wrpkru-only-in-gates`` and ``xrstor-only-in-gates`` scan the bytes of
every executable section but ``.ukc.gates`` at every offset, not only at
instruction starts: an instruction hidden in the middle of another is
still reachable by a jump into it (ERIM, USENIX Security 2019, 3.3).  The
encodings (Intel SDM vol. 2):

    WRPKRU   0F 01 EF
    XRSTOR   0F AE /5, memory operand (ModRM.reg = 5, ModRM.mod != 3;
             with mod = 3 the same bytes are LFENCE); REX.W: XRSTOR64
    XRSTORS  0F C7 /3, memory operand; REX.W: XRSTORS64

XRSTOR(S) can load PKRU from memory when XCR0 enables the PKRU state
component (bit 9), so it is as dangerous as WRPKRU.  It restores only
components enabled in XCR0 (Intel SDM vol. 1, 13.3 and 13.8; XRSTORS
also those of IA32_XSS, where PKRU has no bit), so an XRSTOR outside
the gates is accepted, and listed as allowed, when the descriptor
table's ``UKC_DESC_XCR0_NO_PKRU`` flag says the runtime cleared that
bit at boot: Unikraft's context switch (``ukarch_ectx_load``) is one.
Whether the flag may be set is ``descriptor-matches``' business.
WRPKRU has no such condition: it is a failure anywhere outside the
gates.

``no-direct-cross-call`` disassembles the code of the core (``.boot``,
``.text``) and of every compartment (``.comp<k>.text``) with capstone and
looks at every direct call and jump (``call``, ``jmp``, ``jcc``,
``loop``, ``jrcxz``).  A target in the caller's own code is fine; a target
in ``.ukc.gates`` must be a gate entry (``__ukc_gate_<caller key>_*``, for
the caller's own key, or ``ukc_call_ptr*``); a target in any other
compartment's code is a bypassed gate.  The relocations ``--emit-relocs``
kept (``R_X86_64_PC32``/``PLT32`` at a ``call``/``jmp``/``jcc`` opcode)
name the called symbol and catch branches a linear sweep would step over.
``.ukc.gates`` itself is exempt: crossing is what it is for.
"""

import bisect
import re
from typing import Dict, List, Optional, Set, Tuple

from ..errors import ToolMissing
from . import descriptor
from .regions import GATES
from .report import Allowance, Failure
from .subject import Subject

Outcome = Tuple[int, List[Failure]]
XCR0_WITHOUT_PKRU = "the descriptor table's flags say the runtime clears " \
    "PKRU from XCR0 at boot (UKC_DESC_XCR0_NO_PKRU), so it cannot load PKRU"

WRPKRU = b"\x0f\x01\xef"
R_X86_64_PC32 = 2
R_X86_64_PLT32 = 4
_GATE_ENTRY = re.compile(r"^(__ukc_gate_(\d+)_.+|ukc_call_ptr\w*)$")


def _scanned_sections(subject: Subject):
    return [s for s in subject.regions.code_sections()
            if s.name != GATES and not s.nobits]


def wrpkru_only_in_gates(subject: Subject) -> Outcome:
    data = subject.image.data
    failures = []
    checked = 0
    for section in _scanned_sections(subject):
        start, end = section.offset, section.offset + section.size
        checked += section.size
        at = data.find(WRPKRU, start, end)
        while at >= 0:
            addr = section.addr + at - start
            failures.append(Failure(
                "WRPKRU (0f 01 ef) outside .ukc.gates",
                section=section.name, address=addr,
                symbol=subject.symbol_at(addr)))
            at = data.find(WRPKRU, at + 1, end)
    return checked, failures


def _memory_operand_with_reg(modrm: int, reg: int) -> bool:
    return (modrm >> 3) & 7 == reg and modrm >> 6 != 3


def xrstor_only_in_gates(
        subject: Subject) -> Tuple[int, List[Failure], List[Allowance]]:
    data = subject.image.data
    flags = descriptor.table_flags(subject)
    harmless = flags is not None and bool(flags & descriptor.XCR0_NO_PKRU)
    failures: List[Failure] = []
    allowed: List[Allowance] = []
    checked = 0
    for section in _scanned_sections(subject):
        start, end = section.offset, section.offset + section.size
        checked += section.size
        for opcode, reg, name in ((b"\x0f\xae", 5, "XRSTOR"),
                                  (b"\x0f\xc7", 3, "XRSTORS")):
            at = data.find(opcode, start, end - 1)
            while at >= 0:
                if _memory_operand_with_reg(data[at + 2], reg):
                    first = at
                    mnemonic = name
                    if at > start and data[at - 1] & 0xf8 == 0x48:
                        first, mnemonic = at - 1, name + "64"
                    addr = section.addr + first - start
                    message = f"{mnemonic} ({data[first:at + 3].hex(' ')}) " \
                        "outside .ukc.gates"
                    symbol = subject.symbol_at(addr)
                    if harmless:
                        allowed.append(Allowance(
                            message, XCR0_WITHOUT_PKRU, section=section.name,
                            address=addr, symbol=symbol))
                    else:
                        failures.append(Failure(
                            message, section=section.name, address=addr,
                            symbol=symbol))
                at = data.find(opcode, at + 1, end - 1)
    return checked, failures, allowed


class _CodeMap:
    """Which code region holds an address, and where the gate entries are."""

    def __init__(self, subject: Subject):
        regions = subject.regions
        spans = sorted((s.addr, s.end, regions.code_region(s), s.name)
                       for s in regions.code_sections())
        self.starts = [span[0] for span in spans]
        self.spans = spans
        gates = regions.section(GATES)
        self.entries: Dict[int, Tuple[str, Optional[int]]] = {}
        if gates is not None:
            for sym in subject.image.symbols:
                if not gates.addr <= sym.value < gates.end or \
                        not sym.defined:
                    continue
                match = _GATE_ENTRY.match(sym.name)
                if match:
                    key = int(match.group(2)) if match.group(2) else None
                    self.entries.setdefault(sym.value, (sym.name, key))

    def region_at(self, addr: int) -> Optional[Tuple[str, str]]:
        at = bisect.bisect_right(self.starts, addr) - 1
        if at >= 0 and addr < self.spans[at][1]:
            return self.spans[at][2], self.spans[at][3]
        return None


def _branch_target(mnemonic: str, op_str: str) -> Optional[int]:
    """The target of a direct branch as capstone prints it, else None.

    Called only for instructions whose one operand is an immediate
    (``op_str`` starts with ``0x``); ``bnd jmp`` and ``notrack jmp``
    carry a prefix in the mnemonic.
    """
    word = mnemonic.rsplit(" ", 1)[-1]
    if word != "call" and word[0] != "j" and not word.startswith("loop"):
        return None
    try:
        return int(op_str, 16)
    except ValueError:
        return None


def _relocated_branches(subject: Subject,
                        section) -> Dict[int, Tuple[int, str]]:
    """Branch instructions found through relocations: addr -> (site, sym)."""
    image = subject.image
    found = {}
    data = image.data
    for rel in image.relocations(section, (R_X86_64_PC32, R_X86_64_PLT32)):
        site = rel.offset
        if not section.addr + 1 <= site <= section.end - 4:
            continue
        at = section.offset + site - section.addr
        if data[at - 1] in (0xe8, 0xe9):
            insn = site - 1
        elif site - 2 >= section.addr and data[at - 2] == 0x0f and \
                0x80 <= data[at - 1] <= 0x8f:
            insn = site - 2
        else:
            continue
        sym = image.symbols[rel.symbol]
        found[insn] = (site, sym.name)
    return found


def x86_64_disassembler():
    """capstone for x86_64, carrying on past bytes that decode to nothing."""
    try:
        import capstone
    except ImportError:
        raise ToolMissing("capstone is not installed; pip install -r "
                          "requirements.txt") from None
    disassembler = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    disassembler.skipdata = True
    return disassembler


def no_direct_cross_call(subject: Subject) -> Outcome:
    disassembler = x86_64_disassembler()
    code_map = _CodeMap(subject)
    data = subject.image.data
    failures: List[Failure] = []
    checked = 0

    for section in _scanned_sections(subject):
        region = subject.regions.code_region(section)
        relocated = _relocated_branches(subject, section)
        code = data[section.offset:section.offset + section.size] \
            .rstrip(b"\0")
        seen: Set[int] = set()
        low, high = section.addr, section.end
        for addr, _size, mnemonic, op_str in disassembler.disasm_lite(
                code, section.addr):
            if op_str[:2] != "0x":
                continue
            target = _branch_target(mnemonic, op_str)
            if target is None:
                continue
            checked += 1
            seen.add(addr)
            if low <= target < high:
                continue
            failure = _judge(subject, code_map, region, section.name, addr,
                             target, relocated.get(addr, (0, None))[1])
            if failure is not None:
                failures.append(failure)
        for addr, (site, name) in sorted(relocated.items()):
            if addr in seen:
                continue
            checked += 1
            at = section.offset + site - section.addr
            target = site + 4 + int.from_bytes(data[at:at + 4], "little",
                                               signed=True)
            if low <= target < high:
                continue
            failure = _judge(subject, code_map, region, section.name, addr,
                             target, name)
            if failure is not None:
                failures.append(failure)
    return checked, failures


def _caller_key(region: str) -> int:
    return 0 if region == "core" else int(region[4:])


def _judge(subject: Subject, code_map: _CodeMap, region: str, section: str,
           addr: int, target: int,
           named: Optional[str]) -> Optional[Failure]:
    """A failure when the branch at ``addr`` to ``target`` crosses badly."""
    found = code_map.region_at(target)
    if found is None:
        return None
    target_region, target_section = found
    if target_region == region:
        return None
    callee = named or subject.symbol_at(target) or f"{target:#x}"
    caller = _describe(region)
    if target_region == "gates":
        entry = code_map.entries.get(target)
        if entry is None:
            return Failure(
                f"{caller} branches into .ukc.gates at {target:#x} "
                f"({callee}), which is not a gate entry (__ukc_gate_* or "
                "ukc_call_ptr*)", section=section, address=addr,
                symbol=callee)
        name, key = entry
        if key is not None and key != _caller_key(region):
            return Failure(
                f"{caller} calls {name}, the gate for callers in "
                f"compartment {key}; it must use its own gate",
                section=section, address=addr, symbol=name)
        return None
    return Failure(
        f"{caller} branches directly to {callee} at {target:#x} in "
        f"{target_section} ({_describe(target_region)}), bypassing the "
        "gates", section=section, address=addr, symbol=callee)


def _describe(region: str) -> str:
    return "the core" if region == "core" else f"compartment {region[4:]}"
