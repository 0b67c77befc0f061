"""Cross-compartment references, found in the prelinked objects.

After each library is prelinked to one object, its symbol table says what
it defines and what it leaves undefined.  An undefined symbol that another
library defines is a reference between the two; when the libraries sit in
different compartments (the core counts as one):

- a function gets a gate: a stub in ``.ukc.gates`` named
  ``__ukc_gate_<caller key>_<symbol>``, and the caller's object has its
  references renamed to the stub (``objcopy --redefine-syms``), so no
  source changes;
- data is an error unless the symbol lives in the shared section.

The same scan serves both mechanisms: only the stub bodies differ.
"""

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

from . import templates
from .errors import ElfError, LayoutError
from .fsutil import write_atomic
from .model import Layout, pkru_allowing, SHARED_KEY

GATE_PREFIX = "__ukc_gate_"
SHARED_SECTION = ".ukc.shared"
# Stack words copied from the caller's stack to the callee's: integer
# arguments beyond the sixth (System V AMD64 ABI, 3.2.3) up to 6 + 8 = 14.
STACK_ARG_WORDS = 8


@dataclass(frozen=True)
class Definition:
    library: str
    symbol: str
    is_function: bool
    is_shared: bool


@dataclass(frozen=True)
class Gate:
    """A stub for calls from compartment ``caller`` to ``symbol``."""

    caller: int
    callee: int
    symbol: str

    @property
    def name(self) -> str:
        return f"{GATE_PREFIX}{self.caller}_{self.symbol}"


@dataclass
class Scan:
    """What the scan found: gates, per-library renames, gate list lines."""

    gates: List[Gate]
    renames: Dict[str, List[Tuple[str, str]]]
    listing: List[str]


def _symbols(path: Path):
    """Yield (name, defined, is_function, is_shared) of global symbols.

    Read with the verifier's ELF reader (:mod:`ukcompart.verify.image`),
    which raises a one-line error for a file that is not a consistent
    ELF64 object.
    """
    from .verify import image

    elf = image.load(path, "object")
    sections = elf.sections
    for sym in elf.symbols:
        if not sym.name or sym.bind not in (image.STB_GLOBAL,
                                            image.STB_WEAK):
            continue
        if sym.shndx == image.SHN_UNDEF:
            yield sym.name, False, False, False
            continue
        if sym.shndx >= len(sections):
            yield sym.name, True, False, False      # absolute or common
            continue
        home = sections[sym.shndx]
        is_function = sym.type == image.STT_FUNC or \
            (sym.type == image.STT_NOTYPE and home.executable)
        shared = home.name == SHARED_SECTION or \
            home.name.startswith(SHARED_SECTION + ".")
        yield sym.name, True, is_function, shared


def scan(objects: Dict[str, Path], layout: Layout,
         core_data_open: bool = False) -> Scan:
    """Find every cross-compartment reference between ``objects``.

    ``objects`` maps library name to its prelinked object.  Raises
    :class:`LayoutError` listing every data reference across compartments,
    one line each.  With ``core_data_open`` (embedded mode, where the core
    stays in supervisor pages that no protection key restricts) data
    references to or from the core are allowed; only those between two
    compartments are errors.
    """
    definitions: Dict[str, Definition] = {}
    undefined: Dict[str, List[str]] = {}
    for lib, path in objects.items():
        undefined[lib] = []
        for name, defined, is_function, shared in _symbols(path):
            if defined:
                definitions.setdefault(name, Definition(lib, name,
                                                        is_function, shared))
            else:
                undefined[lib].append(name)

    gates: Dict[Tuple[int, str], Gate] = {}
    renames: Dict[str, List[Tuple[str, str]]] = {lib: [] for lib in objects}
    listing: List[str] = []
    errors: List[str] = []
    for lib in objects:
        caller = layout.compartment_of(lib)
        for name in sorted(set(undefined[lib])):
            definition = definitions.get(name)
            if definition is None:
                continue
            callee = layout.compartment_of(definition.library)
            if callee.index == caller.index:
                continue
            if not definition.is_function:
                if definition.is_shared:
                    continue
                if core_data_open and 0 in (caller.index, callee.index):
                    continue
                errors.append(
                    f"ukcompart: {lib} (compartment {caller.name}) "
                    f"references {name} of {definition.library} "
                    f"(compartment {callee.name}): mark it shared "
                    "(UKCOMPART_SHARED) or put both in one compartment")
                continue
            gate = gates.setdefault((caller.index, name),
                                    Gate(caller.index, callee.index, name))
            renames[lib].append((name, gate.name))
            listing.append(f"{lib} -> {definition.library} {name}")

    if errors:
        raise LayoutError("\n".join(sorted(errors)))
    return Scan(gates=sorted(gates.values(),
                             key=lambda g: (g.caller, g.symbol)),
                renames=renames, listing=sorted(listing))


def gates_source(result: Scan, layout: Layout) -> str:
    """The assembly of every stub, for the configured mechanism."""
    stubs = []
    for gate in result.gates:
        caller = layout.compartments[gate.caller]
        callee = layout.compartments[gate.callee]
        stubs.append({
            "name": gate.name, "symbol": gate.symbol,
            "caller": caller, "callee": callee,
            "pkru_caller": caller.pkru, "pkru_callee": callee.pkru,
            "pkru_both": _pkru_union(caller.index, callee.index),
        })
    return templates.render(
        "gates.S.j2", mechanism=layout.mechanism, stubs=stubs,
        stack_words=STACK_ARG_WORDS)


def _pkru_union(a: int, b: int) -> int:
    """PKRU allowing both compartments' keys (and the shared one)."""
    if a == 0 or b == 0:
        return 0
    return pkru_allowing(a, b, SHARED_KEY)


def redirect(source: Path, target: Path, renames: List[Tuple[str, str]],
             objcopy: str) -> None:
    """Write ``target``: ``source`` with references renamed to gates."""
    if not renames:
        target.write_bytes(source.read_bytes())
        return
    table = target.with_suffix(".redefine")
    write_atomic(table, "".join(f"{old} {new}\n" for old, new in renames))
    command = [objcopy, f"--redefine-syms={table}", str(source), str(target)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise ElfError(f"{' '.join(command)}: {done.stderr.strip()}")
