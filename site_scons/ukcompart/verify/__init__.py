"""Verification of a linked image against its configuration.

The build (``scons build``, ``scons verify``) and
``support/scripts/ukcompart-verify`` both call :func:`verify` with three
inputs:

- the 64-bit image ``<build>/<app>_qemu-x86_64.dbg``, linked with
  ``--emit-relocs`` and a full ``.symtab`` (the 32-bit multiboot copy
  beside it has neither);
- the ``.config`` it was built from, the reference: compartment count,
  names, stack sizes, the mechanism and each library's compartment;
- ``<build>/ukcompart/layout.json`` (or another file named explicitly),
  which names the linked object of each library, in the build directory.

The result is a :class:`~ukcompart.verify.report.Report`: one result per
check (:data:`~ukcompart.verify.checks.NAMES`), as a table
(:meth:`Report.table`) or JSON (:meth:`Report.json`), and the rows of the
memory map (:func:`~ukcompart.verify.memmap.svg`).  Input the verifier
cannot check raises :class:`~ukcompart.verify.errors.BadInput`, and
nothing else.  With ``CONFIG_UKCOMPART`` unset there is nothing to verify:
every check is skipped.

Modules, one per concern: ``config`` (``.config``), ``manifest``
(``layout.json``), ``image`` (ELF reading), ``regions`` (who owns which
section), ``subject`` (everything loaded), ``sections``, ``symbols``,
``descriptor`` and ``code`` (the checks), ``checks`` (their order),
``report`` (table, JSON), ``memmap`` (SVG), ``cli`` (the command line).
"""

from pathlib import Path
from typing import Optional

from . import checks, memmap, subject as _subject
from .errors import BadInput
from .report import Report

__all__ = ["verify", "BadInput", "Report"]


def verify(image: Path, config: Path,
           layout: Optional[Path] = None) -> Report:
    """Check ``image`` against ``config``; see the module docstring."""
    loaded = _subject.load(Path(image), Path(config), layout)
    desc = loaded.regions.section(".ukc.desc")
    if not loaded.reference.enabled and desc is not None and desc.size:
        raise BadInput(
            f"{image}: the image has compartments (section .ukc.desc) but "
            f"{config} leaves CONFIG_UKCOMPART unset; pass the .config the "
            "image was built from")
    results = checks.run(loaded)
    return Report(image=str(image), checks=results,
                  summary=_summary(loaded),
                  memory_map=memmap.entries(loaded))


def _summary(loaded: "_subject.Subject") -> str:
    reference = loaded.reference
    if not reference.enabled:
        return "compartments are off (CONFIG_UKCOMPART is not set): " \
            "nothing to verify"
    names = ", ".join(f"{c.index} {c.name}"
                      for c in reference.compartments[1:])
    return f"{reference.count} compartments ({names}), " \
        f"{reference.mechanism.upper()}, checked against {reference.path}"
