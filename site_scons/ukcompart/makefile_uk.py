"""Reader for the subset of Unikraft's ``Makefile.uk`` format used standalone.

Unikraft evaluates ``Makefile.uk`` files with GNU Make.  Standalone, this
tree's own libraries are compiled by SCons, so they are written in a small,
fixed subset that this module evaluates against a ``.config``:

    $(eval $(call addlib_s,libname,$(CONFIG_X)))   # or addlib,libname
    CINCLUDES-y           += -I$(LIBNAME_BASE)/include
    LIBNAME_CINCLUDES-y   += -I$(LIBNAME_BASE)/private
    LIBNAME_SRCS-y        += $(LIBNAME_BASE)/file.c
    LIBNAME_SRCS-$(CONFIG_Y) += $(LIBNAME_BASE)/entry.S
    LIBNAME_CFLAGS-y      += -DFOO
    LIBNAME_ASFLAGS-y     += -DBAR
    ifeq ($(CONFIG_Z),y) / ifneq (...) / else / endif

``LIBNAME`` is the library name in upper case, as Unikraft derives it.  The
only expansions are ``$(LIBNAME_BASE)`` (the directory of the file) and
``$(CONFIG_...)`` (the value in ``.config``, empty when unset).  Anything
else raises :class:`MakefileUkError` naming the file and line: a construct
that is silently ignored would compile a different library than the author
wrote.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from .errors import MakefileUkError

_ADDLIB = re.compile(
    r"^\$\(eval\s+\$\(call\s+(addlib|addlib_s)\s*,\s*([A-Za-z0-9_]+)"
    r"\s*(?:,\s*(.*?)\s*)?\)\)$")
_ASSIGN = re.compile(r"^([A-Za-z0-9_]+)-(y|\$\(CONFIG_[A-Za-z0-9_]+\))"
                     r"\s*\+=\s*(.*)$")
_COND = re.compile(r"^(ifeq|ifneq)\s*\(\s*(.*?)\s*,\s*(.*?)\s*\)$")
_EXPANSION = re.compile(r"\$\(([^()]*)\)")
_CONFIG_REF = re.compile(r"^CONFIG_[A-Za-z0-9_]+$")


@dataclass
class LibrarySpec:
    """What a ``Makefile.uk`` declares for one library, under a config."""

    name: str
    base: Path
    makefile: Path
    enabled: bool
    srcs: List[Path] = field(default_factory=list)
    global_cincludes: List[str] = field(default_factory=list)
    cincludes: List[str] = field(default_factory=list)
    cflags: List[str] = field(default_factory=list)
    asflags: List[str] = field(default_factory=list)

    @property
    def upper(self) -> str:
        return self.name.upper()


def _logical_lines(text: str):
    """Yield (line number, line) with backslash continuations joined."""
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        yield start, (pending + line).strip()
        pending = ""
    if pending:
        yield start, pending.strip()


class _Reader:
    def __init__(self, path: Path, config: Dict[str, str]):
        self.path = path
        self.config = config
        self.lineno = 0
        self.spec: Optional[LibrarySpec] = None

    def error(self, message: str) -> MakefileUkError:
        return MakefileUkError(f"{self.path}:{self.lineno}: {message}")

    def expand(self, text: str) -> str:
        def one(match):
            name = match.group(1).strip()
            if _CONFIG_REF.match(name):
                return self.config.get(name, "")
            if self.spec and name == f"{self.spec.upper}_BASE":
                return str(self.spec.base)
            raise self.error(
                f"unsupported expansion '$({name})': only $(CONFIG_...) and "
                f"$({self.spec.upper if self.spec else 'LIBNAME'}_BASE) are "
                "allowed standalone")

        expanded = _EXPANSION.sub(one, text)
        if "$" in expanded:
            raise self.error(f"unsupported make syntax in '{text}'")
        return expanded

    def addlib(self, kind: str, name: str, condition: Optional[str]):
        if self.spec is not None:
            raise self.error(
                f"second library '{name}' in one Makefile.uk; "
                "declare one library per directory")
        if kind == "addlib_s":
            if condition is None:
                raise self.error("addlib_s needs a condition: "
                                 "$(call addlib_s,libname,$(CONFIG_X))")
            enabled = self.expand(condition) == "y"
        else:
            if condition is not None:
                raise self.error("addlib takes only a name; "
                                 "use addlib_s for a conditional library")
            enabled = True
        base = self.path.parent
        self.spec = LibrarySpec(name=name, base=base, makefile=self.path,
                                enabled=enabled)

    def assign(self, variable: str, switch: str, value: str):
        if self.expand(switch) != "y":
            return
        words = self.expand(value).split()
        if variable == "CINCLUDES":
            target = self.require_spec(variable).global_cincludes
        else:
            spec = self.require_spec(variable)
            suffixes = {"SRCS": spec.srcs, "CINCLUDES": spec.cincludes,
                        "CFLAGS": spec.cflags, "ASFLAGS": spec.asflags}
            prefix, _, suffix = variable.rpartition("_")
            if prefix != spec.upper or suffix not in suffixes:
                raise self.error(
                    f"unsupported variable '{variable}-y': expected one of "
                    + ", ".join(f"{spec.upper}_{s}" for s in suffixes)
                    + ", CINCLUDES")
            target = suffixes[suffix]
            if suffix == "SRCS":
                words = [self.source(word) for word in words]
        target.extend(words)

    def source(self, word: str) -> Path:
        if "|" in word:
            raise self.error(
                f"source variants ('{word}') are not supported standalone")
        path = Path(word)
        if not path.is_absolute():
            path = self.spec.base / path
        if path.suffix not in (".c", ".S"):
            raise self.error(f"'{word}': only .c and .S sources are supported")
        if not path.is_file():
            raise self.error(f"source '{word}' does not exist")
        return path

    def require_spec(self, variable: str) -> LibrarySpec:
        if self.spec is None:
            raise self.error(f"'{variable}' before the library is declared "
                             "with $(eval $(call addlib_s,...))")
        return self.spec

    def read(self, text: str) -> LibrarySpec:
        # Each entry: (this branch active, some branch taken, in else).
        stack: List[List[bool]] = []
        for self.lineno, line in _logical_lines(text):
            code = line.split("#", 1)[0].strip()
            if not code:
                continue
            active = all(frame[0] for frame in stack)

            cond = _COND.match(code)
            if cond:
                left = self.expand(cond.group(2))
                right = self.expand(cond.group(3))
                taken = (left == right) == (cond.group(1) == "ifeq")
                stack.append([taken, taken, False])
                continue
            if code == "else":
                if not stack or stack[-1][2]:
                    raise self.error("'else' without a matching ifeq/ifneq")
                frame = stack[-1]
                frame[0], frame[2] = not frame[1], True
                continue
            if code == "endif":
                if not stack:
                    raise self.error("'endif' without a matching ifeq/ifneq")
                stack.pop()
                continue
            if not active:
                continue

            addlib = _ADDLIB.match(code)
            if addlib:
                self.addlib(*addlib.groups())
                continue
            assign = _ASSIGN.match(code)
            if assign:
                self.assign(*assign.groups())
                continue
            raise self.error(
                f"unsupported construct '{code}' (standalone Makefile.uk "
                "files allow addlib/addlib_s, VAR-y +=, ifeq/ifneq/else/endif)")

        if stack:
            self.lineno = len(text.splitlines())
            raise self.error("missing 'endif' at end of file")
        if self.spec is None:
            self.lineno = 1
            raise self.error("no library declared; add "
                             "$(eval $(call addlib_s,libname,$(CONFIG_X)))")
        return self.spec


def read_makefile_uk(path: Path, config: Dict[str, str]) -> LibrarySpec:
    """Evaluate the ``Makefile.uk`` at ``path`` against ``config``.

    ``config`` maps ``CONFIG_NAME`` to its value as it appears in
    ``.config`` (``y`` for enabled booleans; unset names expand to empty).
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as e:
        raise MakefileUkError(f"{path}: cannot read: {e.strerror}") from None
    return _Reader(path, config).read(text)
