"""Unikraft's generated Kconfig menus, written in Python.

Unikraft's ``Config.uk`` files build their library menus at parse time
with ``$(shell,<tree>/support/build/config-submenu.sh -o FILE ...)``: the
script writes ``FILE`` with one ``source "<dir>/Config.uk"`` line per
library directory and prints the file's path, which the ``source``
statement then reads.  Starting a shell and bash for each of about ten
calls is most of the time a parse takes, so :func:`shell` does the same
work in-process and falls back to a real shell for anything else.

It is installed as kconfiglib's ``shell`` preprocessor function through
the ``KCONFIG_FUNCTIONS`` module hook (see :mod:`.kconfigfunctions`).
The options understood are the script's own (``-q -t -l -r -c -e -o``,
``support/build/config-submenu.sh``); its output format is reproduced
line for line.
"""

import re
import shlex
import subprocess
from pathlib import Path
from typing import List, Optional

from ..fsutil import write_atomic

SCRIPT = "config-submenu.sh"
HEADER = "# Auto generated file. DO NOT EDIT\n"
_SAME_DIR_TEST = re.compile(r"^test (\S+) = (\S+) && echo y \|\| echo n$")


class Submenu:
    """One call of the submenu script, parsed from its command line."""

    def __init__(self, argv: List[str]):
        self.out: Optional[Path] = None
        self.title: Optional[str] = None
        self.paths: List[str] = []
        self.excludes: List[str] = []
        args = iter(argv)
        for arg in args:
            if arg == "-q":
                continue
            if arg in ("-t", "-l", "-r", "-c", "-e", "-o"):
                self._option(arg, next(args, ""))
            elif arg.startswith("-") and len(arg) > 2 and arg[1] in "tlrceo":
                self._option(arg[:2], arg[2:])
            elif arg.startswith("-"):
                raise ValueError(f"option {arg} of {SCRIPT}")
            else:
                self.paths.append(arg.rstrip("/"))

    def _option(self, flag: str, value: str) -> None:
        if flag == "-t":
            self.title = value
        elif flag == "-l":
            self.paths.append(value.rstrip("/"))
        elif flag == "-r":
            if value:
                root = Path(value.rstrip("/"))
                if root.is_dir():
                    self.paths += [str(p) for p in sorted(root.iterdir())
                                   if p.is_dir()]
        elif flag == "-c":
            self.paths += [p.rstrip("/") for p in value.split(":") if p]
        elif flag == "-e":
            self.excludes += [p.rstrip("/") for p in value.split(":") if p]
        elif flag == "-o":
            self.out = Path(value)

    def text(self) -> str:
        """The file the script writes (with ``-o``)."""
        lines = [HEADER]
        sources = []
        for path in self.paths:
            if not (Path(path) / "Config.uk").is_file():
                continue
            if path in self.excludes:
                lines.append(f'# Skipped excluded "{path}"\n')
                continue
            sources.append(path)
        if self.title is not None:
            lines.append(f'menu "{self.title}"\n')
        for path in sources:
            lines.append(f'source "{(Path(path) / "Config.uk").resolve()}"\n')
        if self.title is not None:
            lines.append("endmenu\n")
        return "".join(lines)


def submenu(command: str) -> Optional[str]:
    """Run a submenu-script ``command`` in-process; None if it is not one."""
    try:
        argv = shlex.split(command)
    except ValueError:
        return None
    if not argv or Path(argv[0]).name != SCRIPT:
        return None
    try:
        call = Submenu(argv[1:])
    except ValueError:
        return None
    if call.out is None:
        return None
    write_atomic(call.out, call.text())
    return str(call.out.resolve())


def shell(kconf, _name, command: str) -> str:
    """kconfiglib's ``$(shell,...)``, with the submenu script built in."""
    generated = submenu(command)
    if generated is not None:
        return generated
    same = _SAME_DIR_TEST.match(command.strip())
    if same:
        return "y" if same.group(1) == same.group(2) else "n"
    done = subprocess.run(command, shell=True, capture_output=True,
                          text=True)
    if done.stderr:
        kconf._warn(f"'{command}' wrote to stderr: {done.stderr.strip()}",
                    kconf.filename, kconf.linenr)
    return "\n".join(done.stdout.rstrip("\n").splitlines())
