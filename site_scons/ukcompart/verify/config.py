"""The reference an image is checked against, read from ``.config`` as text.

The verifier runs without SCons and without the Kconfig tree, so it reads
the ``.config`` the build wrote (kconfiglib's format: ``CONFIG_X=value``,
``# CONFIG_X is not set``, comments) and takes from it only the options
that fix the layout:

``CONFIG_UKCOMPART``                      compartments on or off
``CONFIG_UKCOMPART_MPK`` / ``_FCALL``     the mechanism
``CONFIG_UKCOMPART_NUM``                  compartments besides the core
``CONFIG_UKCOMPART_COMP<k>_NAME``         name of compartment k
``CONFIG_UKCOMPART_COMP<k>_STACK_SIZE``   its stack size (hex)
``CONFIG_UKCOMPART_LIB_<LIB>=k``          where library LIB goes (0: core)
``CONFIG_UK_BASE``                        set only by a Unikraft tree's
                                          Config.uk: the image was built
                                          embedded in that tree

A full ``.config`` names every one of them, so a missing compartment
option is an error rather than a guessed default.  A library without a
placement option (the platform and the compartment runtime have none) is
in the core.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from .errors import BadInput, reading

PAGE_SIZE = 4096
SHARED_KEY = 15
MAX_COMPARTMENTS = 14
MECHANISMS = {"mpk": 1, "fcall": 2}

_ASSIGNMENT = re.compile(r"^CONFIG_([A-Za-z0-9_]+)=(.*)$")
_UNSET = re.compile(r"^# CONFIG_([A-Za-z0-9_]+) is not set$")
_STRING = re.compile(r'^"((?:[^"\\]|\\.)*)"$')
_REMEDY = "pass the .config the image was built from (scons olddefconfig " \
    "rewrites a damaged one)"


def pkru_for(key: int) -> int:
    """PKRU while compartment ``key`` runs (Intel SDM vol. 3A, 4.6.2).

    PKRU bit 2k disables access and bit 2k+1 writes for key k; the core
    (key 0) runs with everything allowed, compartment k with every key
    disabled except its own and the shared key 15.
    """
    if key == 0:
        return 0
    value = 0xFFFFFFFF
    for allowed in (key, SHARED_KEY):
        value &= ~(3 << (2 * allowed))
    return value


def library_option(library: str) -> str:
    """The placement option of ``library``: ``UKCOMPART_LIB_<NAME>``."""
    return "UKCOMPART_LIB_" + re.sub(r"[^A-Z0-9_]", "_", library.upper())


@dataclass(frozen=True)
class ExpectedCompartment:
    """A compartment as the configuration defines it."""

    index: int
    name: str
    stack_size: int

    @property
    def key(self) -> int:
        return self.index

    @property
    def pkru(self) -> int:
        return pkru_for(self.index)


@dataclass
class Reference:
    """What the configuration says the image must look like."""

    path: Path
    enabled: bool
    mechanism: Optional[str] = None
    embedded: bool = False        # built in a Unikraft tree (UK_ROOT=)
    compartments: List[ExpectedCompartment] = field(default_factory=list)
    placement: Dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """Compartments besides the core."""
        return len(self.compartments) - 1

    def compartment_of(self, library: str) -> int:
        return self.placement.get(library_option(library), 0)


def _values(path: Path) -> Dict[str, str]:
    with reading(path, ".config", _REMEDY):
        text = path.read_bytes().decode("utf-8")
    values: Dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        match = _ASSIGNMENT.match(stripped)
        if match:
            values[match.group(1)] = match.group(2)
            continue
        match = _UNSET.match(stripped)
        if match:
            values[match.group(1)] = "n"
            continue
        if stripped and not stripped.startswith("#"):
            shown = stripped if len(stripped) <= 40 else stripped[:37] + "..."
            raise BadInput(f"{path}:{number}: not a .config line: "
                           f"{shown!r}; {_REMEDY}")
    return values


def _string(path: Path, values: Dict[str, str], option: str) -> str:
    raw = _required(path, values, option)
    match = _STRING.match(raw)
    if match is None:
        raise BadInput(f"{path}: CONFIG_{option}={raw} is not a quoted "
                       f"string; {_REMEDY}")
    return re.sub(r"\\(.)", r"\1", match.group(1))


def _integer(path: Path, values: Dict[str, str], option: str,
             base: int) -> int:
    raw = _required(path, values, option)
    try:
        return int(raw, base)
    except ValueError:
        kind = "hex number" if base == 16 else "number"
        raise BadInput(f"{path}: CONFIG_{option}={raw} is not a {kind}; "
                       f"{_REMEDY}") from None


def _required(path: Path, values: Dict[str, str], option: str) -> str:
    if option not in values or values[option] == "n":
        raise BadInput(f"{path}: CONFIG_{option} is not set although "
                       f"CONFIG_UKCOMPART=y; {_REMEDY}")
    return values[option]


def read(path: Path) -> Reference:
    """Read the layout options of ``path``; :class:`BadInput` if broken."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path}: no such .config; {_REMEDY}")
    values = _values(path)
    embedded = values.get("UK_BASE", "n") != "n"
    if values.get("UKCOMPART", "n") != "y":
        return Reference(path=path, enabled=False, embedded=embedded,
                         compartments=[ExpectedCompartment(0, "core", 0)])

    mpk = values.get("UKCOMPART_MPK") == "y"
    fcall = values.get("UKCOMPART_FCALL") == "y"
    if mpk == fcall:
        raise BadInput(f"{path}: exactly one of CONFIG_UKCOMPART_MPK and "
                       f"CONFIG_UKCOMPART_FCALL must be y; {_REMEDY}")
    count = _integer(path, values, "UKCOMPART_NUM", 10)
    if not 1 <= count <= MAX_COMPARTMENTS:
        raise BadInput(f"{path}: CONFIG_UKCOMPART_NUM={count} is outside "
                       f"1..{MAX_COMPARTMENTS}; {_REMEDY}")

    compartments = [ExpectedCompartment(0, "core", 0)]
    for k in range(1, count + 1):
        name = _string(path, values, f"UKCOMPART_COMP{k}_NAME")
        stack = _integer(path, values, f"UKCOMPART_COMP{k}_STACK_SIZE", 16)
        compartments.append(ExpectedCompartment(k, name, stack))

    placement = {}
    for option, raw in values.items():
        if option.startswith("UKCOMPART_LIB_"):
            placement[option] = _integer(path, values, option, 10)
    return Reference(path=path, enabled=True, embedded=embedded,
                     mechanism="mpk" if mpk else "fcall",
                     compartments=compartments, placement=placement)
