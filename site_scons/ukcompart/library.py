"""Finding libraries: every directory with a ``Config.uk`` and ``Makefile.uk``.

Standalone, the libraries are the directories under ``lib/`` and ``plat/``
of this tree and the app directory itself with its subdirectories, each
holding both files in Unikraft's format.  Discovery only needs each
library's name (the ``addlib``/``addlib_s`` line), so it runs before any
configuration exists: the per-library Kconfig menus are generated from it.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List

from .errors import LibraryError

_NAME = re.compile(r"\$\(call\s+addlib(?:_s)?\s*,\s*([^,)]*)")
_VALID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

KINDS = ("plat", "lib", "app")


@dataclass(frozen=True)
class Library:
    """A library directory: its name, where it is, and what role it plays.

    ``kind`` is ``plat`` for the platform, ``lib`` for a library of this
    tree (or an external one) and ``app`` for the application and the
    libraries that live in its directory.
    """

    name: str
    path: Path
    kind: str

    @property
    def config_uk(self) -> Path:
        return self.path / "Config.uk"

    @property
    def makefile_uk(self) -> Path:
        return self.path / "Makefile.uk"

    @property
    def symbol(self) -> str:
        """The name part of this library's placement option."""
        return re.sub(r"[^A-Z0-9_]", "_", self.name.upper())


def _library_in(directory: Path, kind: str) -> Library:
    config_uk = directory / "Config.uk"
    makefile_uk = directory / "Makefile.uk"
    if not config_uk.is_file():
        raise LibraryError(f"{directory}: has Makefile.uk but no Config.uk; "
                           "every library needs both")
    try:
        text = makefile_uk.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise LibraryError(f"{makefile_uk}: cannot read: "
                           f"{getattr(e, 'strerror', None) or e}") from None
    names = _NAME.findall(text)
    if len(names) != 1:
        raise LibraryError(
            f"{makefile_uk}:1: expected exactly one "
            "$(eval $(call addlib_s,libname,$(CONFIG_X))) line, found "
            f"{len(names)}")
    name = names[0].strip()
    if not _VALID_NAME.match(name):
        line = text[:text.index(names[0])].count("\n") + 1
        raise LibraryError(
            f"{makefile_uk}:{line}: library name '{name}': use letters, "
            "digits and '_' (it becomes part of Make and Kconfig names)")
    return Library(name=name, path=directory.resolve(), kind=kind)


def _candidates(root: Path, include_root: bool) -> Iterable[Path]:
    if not root.is_dir():
        return
    if include_root and (root / "Makefile.uk").is_file():
        yield root
    for makefile in sorted(root.rglob("Makefile.uk")):
        directory = makefile.parent
        if directory == root or "build" in directory.relative_to(root).parts:
            continue
        yield directory


def discover(tree: Path, app: Path) -> List[Library]:
    """Every library of this tree's ``plat/`` and ``lib/``, then the app's.

    The order is stable (platform, libraries, app; alphabetical within
    each), so generated files do not change between runs.
    """
    if not (app / "Makefile.uk").is_file():
        raise LibraryError(
            f"{app}: not an app directory (no Makefile.uk); "
            "set UK_APP to a directory with Config.uk and Makefile.uk")

    libraries = []
    for directory in _candidates(tree / "plat", False):
        libraries.append(_library_in(directory, "plat"))
    for directory in _candidates(tree / "lib", False):
        libraries.append(_library_in(directory, "lib"))
    for directory in _candidates(app, True):
        libraries.append(_library_in(directory, "app"))

    seen = {}
    for library in libraries:
        if library.name in seen:
            raise LibraryError(
                f"library name '{library.name}' is declared twice: in "
                f"{seen[library.name].makefile_uk} and {library.makefile_uk}")
        seen[library.name] = library
    return libraries
