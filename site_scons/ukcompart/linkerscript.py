"""The generated linker script and descriptor table of one layout.

Both are pure functions of the :class:`~ukcompart.model.Layout` and the
names of the libraries' linked objects, rendered from
``templates/image.lds.j2`` and ``templates/desc.S.j2``.  Objects are matched
by ``*/<file name>``, so the script holds no absolute path and does not
change when the build directory moves.
"""

from typing import Dict

from . import templates
from .model import Layout, MECHANISMS, PAGE_SIZE

IMAGE_BASE = 0x100000
# Bytes left unused at the top of each compartment stack: a gate copies a
# fixed number of stack words from its caller's frame, and this keeps that
# read inside the stack even for the first frame.
STACK_PAD = 128
# struct ukc_desc_table.flags (uk/compart/desc.h): the runtime clears PKRU
# from XCR0, so XRSTOR outside the gates cannot load it (embedded mode).
DESC_XCR0_NO_PKRU = 1 << 0


def _pattern(object_name: str) -> str:
    return f"*/{object_name}"


def script(layout: Layout, object_names: Dict[str, str]) -> str:
    """The linker script; ``object_names`` maps library to object file name."""
    isolated = []
    excluded = []
    for comp in layout.isolated:
        patterns = [_pattern(object_names[lib]) for lib in comp.libraries]
        excluded += patterns
        isolated.append({"index": comp.index, "name": comp.name,
                         "key": comp.key, "stack_size": comp.stack_size,
                         "libraries": comp.libraries, "objects": patterns})
    core_exclude = f"EXCLUDE_FILE({' '.join(excluded)}) *" if excluded \
        else "*"
    return templates.render("image.lds.j2", base=IMAGE_BASE, page=PAGE_SIZE,
                            core_exclude=core_exclude,
                            compartments=isolated)


def descriptors(layout: Layout, flags: int = 0) -> str:
    """The assembly of the descriptor table and the stack slots.

    ``flags`` is the table's ``DESC_*`` word: 0 standalone,
    :data:`DESC_XCR0_NO_PKRU` when embedded in a Unikraft tree.
    """
    return templates.render("desc.S.j2", compartments=layout.compartments,
                            mechanism_id=MECHANISMS[layout.mechanism],
                            flags=flags, stack_pad=STACK_PAD)
