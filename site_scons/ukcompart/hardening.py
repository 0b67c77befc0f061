"""Software hardening per compartment: compiler flags, canaries, renames.

Each compartment k picks its own hardening in menuconfig
(``templates/compartments.uk.j2``):

``UKCOMPART_COMP<k>_STACKPROT_{NONE,STRONG,ALL}``
    GCC's stack protector (``-fstack-protector-strong``/``-all``) with a
    global guard (``-mstack-protector-guard=global``: the canary is a
    variable, not ``%fs:0x28``, since the image has no TLS).
``UKCOMPART_COMP<k>_UBSAN``
    undefined-behaviour checks that execute UD2 on failure
    (``-fsanitize=undefined -fsanitize-undefined-trap-on-error``): no
    runtime library, the runtime's #UD hook reports the trap.
``UKCOMPART_COMP<k>_CFPROT``
    ENDBR64 landing pads at every function entry and indirect-branch
    target (``-fcf-protection=branch``, Intel CET indirect branch
    tracking).

The flags reach only the libraries of compartment k (graph.py compiles
each library with its own environment), so changing them recompiles only
those.  A compartment's canary is its own: after prelinking, references
to ``__stack_chk_guard`` and ``__stack_chk_fail`` in its libraries are
renamed (as references to gates are) to ``__ukc_stack_chk_guard_<k>``,
defined in the compartment's own data, and ``__ukc_gate_<k>___stack_chk_fail``,
a UD2 in ``.ukc.gates`` that the runtime recognises.  Both, and the table
``ukc_hardening`` the runtime reads at boot (``uk/compart/hardening.h``),
are generated from ``templates/hardening.S.j2``.
"""

from dataclasses import dataclass
from typing import List, Mapping, Tuple

from . import templates

STACK_PROTECTOR_MODES = ("none", "strong", "all")
GUARD = "__stack_chk_guard"
FAIL = "__stack_chk_fail"

# Bits of struct ukc_comp_hardening.flags (uk/compart/hardening.h).
FLAG_STACKPROT = 1 << 0
FLAG_UBSAN = 1 << 1
FLAG_CFPROT = 1 << 2

# Written to every guard at build time; the runtime replaces it at boot
# with a random value whose low byte is zero (a terminator canary).
BUILD_TIME_CANARY = 0x6b72616e696b5500


@dataclass(frozen=True)
class Hardening:
    """The hardening one compartment was configured with."""

    stack_protector: str = "none"
    ubsan: bool = False
    cf_protection: bool = False

    def cflags(self) -> List[str]:
        """GCC options, appended after the common ones (so they win)."""
        flags = []
        if self.stack_protector != "none":
            flags += [f"-fstack-protector-{self.stack_protector}",
                      "-mstack-protector-guard=global"]
        if self.ubsan:
            flags += ["-fsanitize=undefined",
                      "-fsanitize-undefined-trap-on-error"]
        if self.cf_protection:
            flags += ["-fcf-protection=branch"]
        return flags

    @property
    def flags(self) -> int:
        return (FLAG_STACKPROT if self.stack_protector != "none" else 0) | \
            (FLAG_UBSAN if self.ubsan else 0) | \
            (FLAG_CFPROT if self.cf_protection else 0)

    def as_dict(self) -> dict:
        return {"stack_protector": self.stack_protector,
                "ubsan": self.ubsan, "cf_protection": self.cf_protection}


def read(values: Mapping[str, str], k: int) -> Hardening:
    """The hardening options of compartment ``k``; ``values`` maps option
    names (no ``CONFIG_``) to resolved values."""

    def is_set(name: str) -> bool:
        return values.get(f"UKCOMPART_COMP{k}_{name}") == "y"

    mode = next((m for m in STACK_PROTECTOR_MODES[1:]
                 if is_set(f"STACKPROT_{m.upper()}")), "none")
    return Hardening(stack_protector=mode, ubsan=is_set("UBSAN"),
                     cf_protection=is_set("CFPROT"))


def guard_symbol(k: int) -> str:
    return f"__ukc_stack_chk_guard_{k}"


def fail_entry(k: int) -> str:
    """The failure entry of compartment k, named like its gates."""
    return f"__ukc_gate_{k}_{FAIL}"


def renames(compartment) -> List[Tuple[str, str]]:
    """What the redirect step renames in a library of ``compartment``."""
    if compartment.index == 0 or \
            compartment.hardening.stack_protector == "none":
        return []
    return [(GUARD, guard_symbol(compartment.index)),
            (FAIL, fail_entry(compartment.index))]


def source(layout) -> str:
    """The assembly of the guards, failure entries and ``ukc_hardening``."""
    entries = [{"index": c.index, "name": c.name,
                "flags": c.hardening.flags,
                "guard": guard_symbol(c.index)
                if c.hardening.stack_protector != "none" else None,
                "fail": fail_entry(c.index)
                if c.hardening.stack_protector != "none" else None}
               for c in layout.compartments]
    return templates.render("hardening.S.j2", compartments=entries,
                            canary=BUILD_TIME_CANARY)
