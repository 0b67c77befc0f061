"""Compartments and library placement, as the configuration states them.

A :class:`Layout` is read from ``.config`` once and validated: every
assignment problem (a library in a compartment that does not exist, two
compartments with one name, an empty compartment, a stack size that is not
a whole number of pages) is a :class:`LayoutError` naming the option to fix.
Everything generated later (linker script, descriptors, gates) is derived
from the layout alone, and the layout's ``signature()`` is what SCons
tracks as a Value node.
"""

import json
import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional

from .errors import LayoutError
from .hardening import Hardening, read as read_hardening
from .library import Library

PAGE_SIZE = 4096
MAX_STACK_SIZE = 16 << 20
SHARED_KEY = 15
MAX_COMPARTMENTS = 14
NAME_MAX = 31
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RESERVED_NAMES = ("core", "shared")

MECHANISMS = {"mpk": 1, "fcall": 2}


def pkru_allowing(*keys: int) -> int:
    """PKRU value that denies every key except ``keys`` (SDM vol. 3, 4.6.2).

    Bit 2k is access-disable and bit 2k+1 write-disable for key k.
    """
    value = 0xFFFFFFFF
    for key in keys:
        value &= ~(3 << (2 * key))
    return value


@dataclass
class Compartment:
    """One compartment: its index (= protection key), name, stack, libraries
    and the software hardening its libraries are compiled with.

    Index 0 is the trusted core, which holds every library not assigned
    elsewhere, the platform and the compartment runtime; it is never
    hardened.
    """

    index: int
    name: str
    stack_size: int
    libraries: List[str] = field(default_factory=list)
    hardening: Hardening = field(default_factory=Hardening)

    @property
    def key(self) -> int:
        return self.index

    @property
    def pkru(self) -> int:
        if self.index == 0:
            return 0
        return pkru_allowing(self.index, SHARED_KEY)


@dataclass
class Layout:
    """The compartment set of one configuration."""

    enabled: bool
    mechanism: Optional[str]
    compartments: List[Compartment]

    @property
    def core(self) -> Compartment:
        return self.compartments[0]

    @property
    def isolated(self) -> List[Compartment]:
        return self.compartments[1:]

    def compartment_of(self, library: str) -> Compartment:
        for compartment in self.compartments:
            if library in compartment.libraries:
                return compartment
        return self.core

    def manifest(self, object_names: Dict[str, str], image: str) -> str:
        """``layout.json``: the layout for tools that read the image later.

        It names each library's linked object (beside the image in the
        build directory), so the verifier can tell which symbols are whose.
        """
        return json.dumps({
            "version": 1,
            "image": image,
            "enabled": self.enabled,
            "mechanism": self.mechanism,
            "compartments": [
                {"index": c.index, "name": c.name, "key": c.key,
                 "pkru": c.pkru, "stack_size": c.stack_size,
                 "libraries": sorted(c.libraries),
                 "hardening": c.hardening.as_dict()}
                for c in self.compartments],
            "libraries": {
                lib: {"object": object_names[lib],
                      "compartment": self.compartment_of(lib).index}
                for lib in sorted(object_names)},
        }, indent=2, sort_keys=True) + "\n"

    def signature(self) -> str:
        """A stable text form for SCons Value nodes."""
        return json.dumps({
            "enabled": self.enabled,
            "mechanism": self.mechanism,
            "compartments": [
                [c.index, c.name, c.stack_size, sorted(c.libraries),
                 c.hardening.as_dict()]
                for c in self.compartments],
        }, sort_keys=True)


def from_config(values: Mapping[str, str], libraries: List[Library],
                enabled_libraries: List[str]) -> Layout:
    """Read and validate the layout from the configuration's values.

    ``values`` maps option names (no ``CONFIG_``) to their resolved
    values, as :func:`ukcompart.kconfig.layout_values` gives them; an
    absent option is empty.
    """
    all_names = [lib.name for lib in libraries]
    core = Compartment(0, "core", 0, [n for n in all_names
                                      if n in enabled_libraries])
    if values.get("UKCOMPART", "") != "y":
        return Layout(enabled=False, mechanism=None, compartments=[core])

    mechanism = "mpk" if values.get("UKCOMPART_MPK", "") == "y" \
        else "fcall"
    count = int(values.get("UKCOMPART_NUM", "") or 0)
    if not 1 <= count <= MAX_COMPARTMENTS:
        raise LayoutError(
            f"CONFIG_UKCOMPART_NUM={count}: between 1 and "
            f"{MAX_COMPARTMENTS} compartments fit the 16 protection keys "
            "(0 is the core, 15 the shared region)")

    compartments = [core]
    names: Dict[str, int] = {}
    for k in range(1, count + 1):
        option = f"UKCOMPART_COMP{k}_NAME"
        name = values.get(option, "")
        if not _NAME.match(name) or len(name) > NAME_MAX \
                or name in RESERVED_NAMES:
            raise LayoutError(
                f"CONFIG_{option}=\"{name}\": a compartment name is letters, "
                f"digits and '_', not starting with a digit, at most "
                f"{NAME_MAX} characters, and not 'core' or 'shared'")
        if name in names:
            raise LayoutError(
                f"CONFIG_UKCOMPART_COMP{names[name]}_NAME and CONFIG_{option} "
                f"are both \"{name}\": give each compartment its own name")
        names[name] = k

        option = f"UKCOMPART_COMP{k}_STACK_SIZE"
        stack = int(values.get(option, "") or "0", 16)
        if stack <= 0 or stack % PAGE_SIZE:
            raise LayoutError(
                f"CONFIG_{option}={stack:#x} is not a positive multiple of "
                f"{PAGE_SIZE:#x} (4 KiB): stacks are whole pages")
        if stack > MAX_STACK_SIZE:
            raise LayoutError(
                f"CONFIG_{option}={stack:#x} is larger than "
                f"{MAX_STACK_SIZE:#x} (16 MiB), the most a compartment "
                "stack may take of the 128 MiB the image may span")
        compartments.append(Compartment(k, name, stack,
                                        hardening=read_hardening(values, k)))

    core.libraries = []
    for lib in libraries:
        if lib.name not in enabled_libraries:
            continue
        option = f"UKCOMPART_LIB_{lib.symbol}"
        value = values.get(option, "")
        index = int(value) if value else 0
        if lib.kind == "plat" or lib.name == "libukcompart":
            index = 0
        if index > count:
            raise LayoutError(
                f"CONFIG_{option}={index} places {lib.name} in compartment "
                f"{index}, but CONFIG_UKCOMPART_NUM={count}; use 0 to "
                f"{count} or raise CONFIG_UKCOMPART_NUM")
        compartments[index].libraries.append(lib.name)

    for compartment in compartments[1:]:
        if not compartment.libraries:
            raise LayoutError(
                f"compartment {compartment.index} "
                f"(CONFIG_UKCOMPART_COMP{compartment.index}_NAME="
                f"\"{compartment.name}\") has no library: set some "
                f"CONFIG_UKCOMPART_LIB_<LIB>={compartment.index} or lower "
                "CONFIG_UKCOMPART_NUM")
    return Layout(enabled=True, mechanism=mechanism,
                  compartments=compartments)
