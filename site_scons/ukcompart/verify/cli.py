"""The ``ukcompart-verify`` command line.

    ukcompart-verify IMAGE --config .config [--layout FILE] [--json]
                     [--svg FILE]

Exit status 0 when every check passes (or compartments are off), 1 when a
check fails, 2 when an input cannot be checked; then stderr holds exactly
one line, ``ukcompart-verify: error: <what is wrong and what to do>``.
"""

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from ..errors import UkcError
from ..fsutil import write_atomic
from . import checks, memmap, verify
from .errors import PROG

EPILOG = f"""\
checks, in report order:
  {(chr(10) + '  ').join(checks.NAMES)}

exit status: 0 all checks pass (or CONFIG_UKCOMPART is off), 1 a check
failed, 2 an input cannot be checked (one line on stderr says which).

example:
  {PROG} build/two-comps_qemu-x86_64.dbg --config build/.config \\
      --svg build/memory-map.svg
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit status 2."""

    def error(self, message: str) -> None:
        self.exit(2, f"{PROG}: error: {message}; see {PROG} --help\n")


def parser() -> argparse.ArgumentParser:
    result = _Parser(
        prog=PROG, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Check a linked ukcompart image against the "
        "configuration it was built\nfrom: sections, pages, symbols, the "
        "descriptor table, guard pages, code.")
    result.add_argument("image", type=Path, metavar="IMAGE",
                        help="the 64-bit image, <build>/<app>_qemu-x86_64.dbg")
    result.add_argument("--config", type=Path, required=True,
                        metavar="CONFIG",
                        help="the .config the image was built from")
    result.add_argument("--layout", type=Path, metavar="FILE",
                        help="layout.json of the build (default: "
                        "<image dir>/ukcompart/layout.json)")
    result.add_argument("--json", action="store_true",
                        help="print the report as JSON instead of a table")
    result.add_argument("--svg", type=Path, metavar="FILE",
                        help="also write the memory map as SVG to FILE")
    return result


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    if args.svg is not None and (args.svg.is_dir()
                                 or not args.svg.parent.is_dir()):
        print(f"{PROG}: error: --svg {args.svg}: "
              + ("is a directory" if args.svg.is_dir()
                 else f"no directory {args.svg.parent}")
              + "; name a file in an existing directory", file=sys.stderr)
        return 2
    try:
        report = verify(args.image, args.config, args.layout)
        if args.svg:
            write_atomic(args.svg, memmap.svg(report))
    except UkcError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return error.exit_status
    except OSError as error:
        print(f"{PROG}: error: {error.filename}: cannot write the memory "
              f"map: {error.strerror}; pick another --svg FILE",
              file=sys.stderr)
        return 2
    sys.stdout.write(report.json() if args.json else report.table())
    return 0 if report.ok else 1
