"""Reading a Unikraft tree's Kconfig with kconfiglib, checked.

The top file is the tree's own ``Config.uk``.  Before parsing, the
environment of :mod:`.environment` is set, ``KCONFIG_FUNCTIONS`` points
kconfiglib at the in-process menu generator, and ukcompart's generated
menus (compartments, one placement option per library) are written to
``<build>/kconfig/compartments.uk``, which this tree's ``Config.uk``
sources through ``UKCOMPART_KCONFIG_DIR``.

kconfiglib does not complain when a variable is missing or a generated
menu is empty: the options just are not there.  :func:`check_parsed`
therefore insists that the platform, library, driver and app menus and
ukcompart's own menu were all read, and names the first one that was not.
"""

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from .. import kconfig, templates
from ..errors import ConfigError
from ..fsutil import write_atomic
from ..library import Library
from ..model import MAX_COMPARTMENTS
from .environment import Embedding

FUNCTIONS_MODULE = "ukcompart.embedded.kconfigfunctions"

# $(eval $(call addlib,NAME)), addlib_s, addplatlib(_s),PLAT,NAME
_ADDLIB = re.compile(r"\$\(call\s+addlib(?:_s)?\s*,\s*([A-Za-z0-9_]+)")
_ADDPLATLIB = re.compile(
    r"\$\(call\s+addplatlib(?:_s)?\s*,\s*[A-Za-z0-9_]+\s*,\s*([A-Za-z0-9_]+)")

# Selected whenever protection keys are the mechanism: Unikraft then sets
# CR4.PKE and puts PKRU into the XSAVE state at boot (plat/kvm).
EMBEDDED_OPTIONS = """
# Embedded in a Unikraft tree: what the compartment runtime needs of it.
config UKCOMPART_UNIKRAFT
	bool
	default y
	select HAVE_X86PKU if UKCOMPART_MPK
	help
	  Set when ukcompart is built as an external library of a Unikraft
	  tree: with MPK it selects HAVE_X86PKU, so the platform enables
	  protection keys at boot.
"""


def library_names(makefile_uk: Path) -> List[str]:
    """Every library a ``Makefile.uk`` registers, in file order."""
    try:
        text = makefile_uk.read_text(errors="replace")
    except OSError:
        return []
    names = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        for pattern in (_ADDPLATLIB, _ADDLIB):
            names += pattern.findall(line)
    return names


def _makefiles(root: Path, depth: int) -> Iterable[Path]:
    pattern = "/".join(["*"] * depth + ["Makefile.uk"])
    return sorted(root.glob(pattern))


def discover(emb: Embedding) -> List[Library]:
    """The libraries of the tree, the external libraries and the app.

    Only names are needed here (the placement menu); which of them a
    configuration builds is Make's to say later (``print-libs``).
    """
    found: List[Library] = []
    seen = set()

    def add(makefile: Path, kind: str) -> None:
        for name in library_names(makefile):
            if name not in seen:
                seen.add(name)
                found.append(Library(name=name, path=makefile.parent,
                                     kind=kind))

    for makefile in _makefiles(emb.uk_root / "plat", 1):
        add(makefile, "plat")
    for depth in (1, 2):
        for makefile in _makefiles(emb.uk_root / "drivers", depth):
            add(makefile, "lib")
    for makefile in _makefiles(emb.uk_root / "lib", 1):
        add(makefile, "lib")
    for makefile in _makefiles(emb.uk_root / "arch", 1):
        add(makefile, "lib")
    for lib in emb.libs:
        add(lib / "Makefile.uk", "lib")
    add(emb.app / "Makefile.uk", "app")
    return found


def placeable(libraries: List[Library]) -> List[Library]:
    return [lib for lib in libraries if lib.kind != "plat"
            and lib.name != "libukcompart"]


def compartments_text(libraries: List[Library]) -> str:
    """``compartments.uk``: the standalone template plus embedded options."""
    text = templates.render("compartments.uk.j2",
                            max_compartments=MAX_COMPARTMENTS,
                            libraries=placeable(libraries))
    return text + EMBEDDED_OPTIONS


def write_menus(emb: Embedding, libraries: List[Library]) -> Path:
    path = emb.kconfig_dir / "compartments.uk"
    write_atomic(path, compartments_text(libraries))
    return path


@dataclass
class Expected:
    """A menu that must have been read, and how to recognise it."""

    what: str
    directory: Path
    variable: str


def check_parsed(kconf, emb: Embedding) -> None:
    """Fail when a part of the tree's menus did not make it into ``kconf``."""
    # Resolved once: hundreds of files, each checked against every item.
    files = [Path(name).resolve() for name in kconf.kconfig_filenames]
    expected = [
        Expected("platform menus", emb.uk_root / "plat", "KCONFIG_PLAT_BASE"),
        Expected("library menus", emb.uk_root / "lib", "KCONFIG_LIB_BASE"),
        Expected("driver menus", emb.uk_root / "drivers",
                 "KCONFIG_DRIV_BASE"),
    ]
    if emb.app != emb.uk_root:
        expected.append(Expected("app menu", emb.app, "KCONFIG_EAPP_DIR"))
    for lib in emb.libs:
        expected.append(Expected(f"menu of {lib}", lib, "KCONFIG_ELIB_DIRS"))
    for item in expected:
        directory = item.directory.resolve()
        if not any(_under(f, directory) for f in files):
            raise ConfigError(
                f"{emb.uk_root / 'Config.uk'}: parsed without the "
                f"{item.what} ({item.directory}/*/Config.uk): the generated "
                f"menus or ${item.variable} are wrong; check "
                f"{emb.kconfig_dir}")
    for name in ("UKCOMPART", "UK_NAME", "UK_ARCH"):
        if name not in kconf.syms or not kconf.syms[name].nodes:
            raise ConfigError(f"{emb.uk_root / 'Config.uk'}: option {name} "
                              "is not defined after parsing; is UK_ROOT a "
                              "Unikraft tree?")


def _under(path: Path, directory: Path) -> bool:
    """Whether ``path`` lies in ``directory`` (both already resolved)."""
    return path == directory or directory in path.parents


def parse(emb: Embedding, env: Dict[str, str], libraries: List[Library]):
    """Write the generated menus, parse the tree, check what was read.

    Returns the ``kconfiglib.Kconfig`` and the warnings that concern files
    outside the Unikraft tree (printed already).
    """
    emb.kconfig_dir.mkdir(parents=True, exist_ok=True)
    write_menus(emb, libraries)
    environment = dict(env)
    environment["KCONFIG_FUNCTIONS"] = FUNCTIONS_MODULE
    environment["UKCOMPART_KCONFIG_DIR"] = str(emb.kconfig_dir)
    tree = kconfig.KconfigTree(top=emb.uk_root / "Config.uk",
                               kconfig_dir=emb.kconfig_dir,
                               environment=environment)
    kconf, warnings = _parse_quietly(tree, emb.uk_root)
    check_parsed(kconf, emb)
    return kconf, warnings


def _parse_quietly(tree, uk_root: Path):
    """:func:`ukcompart.kconfig.parse`, without the tree's own warnings.

    Upstream's Config.uk files draw a few kconfiglib warnings (selects of
    choice symbols); they are Unikraft's to fix, not the user's, so only
    warnings about files outside the Unikraft tree are shown.
    """
    import io
    import sys
    from contextlib import redirect_stderr

    import kconfiglib

    os.environ.update(tree.environment)
    try:
        with redirect_stderr(io.StringIO()):
            kconf = kconfiglib.Kconfig(str(tree.top), warn_to_stderr=False)
    except kconfiglib.KconfigError as e:
        raise ConfigError(" ".join(str(e).split())) from None
    except OSError as e:
        raise ConfigError(f"{e.filename or tree.top}: cannot read Kconfig "
                          f"file: {e.strerror}") from None
    shown = [" ".join(warning.split()).replace("warning: ", "", 1)
             for warning in kconf.warnings if str(uk_root) not in warning]
    for text in shown:
        print(f"ukcompart: warning: {text}", file=sys.stderr)
    kconf.warnings = []
    return kconf, shown


# -- What Make's Kconfig run would write ---------------------------------

def make_header(emb: Embedding) -> Path:
    """Unikraft's configuration header (``KCONFIG_AUTOHEADER``)."""
    return emb.build / "include" / "uk" / "bits" / "config.h"


def _make_copy(emb: Embedding) -> Path:
    """``<build>/config``: the copy of ``.config`` Make's header rule
    depends on; Make refreshes it only when the contents differ."""
    return emb.build / "config"


def make_outputs_stale(emb: Embedding) -> bool:
    """Whether Make would regenerate its configuration header, by Make's
    own rules: the header is missing, ``.config`` differs from its copy
    (a ``.config`` only touched does not count), or the header is older
    than the copy."""
    copy = _make_copy(emb)
    try:
        if copy.read_bytes() != emb.dotconfig.read_bytes():
            return True
        return make_header(emb).stat().st_mtime_ns < copy.stat().st_mtime_ns
    except OSError:
        return True


def write_make_outputs(emb: Embedding, kconf) -> bool:
    """Write what ``conf --syncconfig`` writes in Make's build, from
    ``kconf`` (the tree parsed, ``.config`` loaded), so that Make finds it
    up to date and does not run Kconfig again (about 0.3 s: ``conf`` runs
    the tree's menu generator scripts).  Called whenever ukcompart
    resolves a ``.config`` (the configuration targets, a build whose
    cache missed) and before Make runs when :func:`make_outputs_stale`.
    In Make's order: ``<build>/config`` (copied when it differs, as Make
    does), the header (kconfiglib's ``write_autoconf``: the same
    definitions as ``conf``'s, under its header; rewritten only when its
    text changes, since every object depends on it, and otherwise only
    made newer than the copy if it is not) and the per-option files of
    ``<build>/include/config`` that ``fixdep`` makes objects depend on
    (kconfiglib's ``sync_deps``: one file touched per option whose value
    changed).  A Kconfig file changed under an unchanged ``.config`` thus
    reaches the header too.  True when the header's text changed.
    """
    copy = _make_copy(emb)
    try:
        same = copy.read_bytes() == emb.dotconfig.read_bytes()
    except OSError:
        same = False
    if not same:
        shutil.copyfile(emb.dotconfig, copy)
    header = make_header(emb)
    header.parent.mkdir(parents=True, exist_ok=True)
    comment = ("/*\n *\n * Automatically generated file; DO NOT EDIT.\n"
               f" * {kconf.mainmenu_text}\n *\n */\n")
    changed = write_atomic(header, kconfig.written(kconf.write_autoconf,
                                                   header=comment))
    if not changed and header.stat().st_mtime_ns < copy.stat().st_mtime_ns:
        os.utime(header)        # Make's rule: the header is newer
    kconf.sync_deps(str(emb.build / "include" / "config"))
    return changed


# -- The resolved configuration, kept for the next build ------------------

CACHE_FORMAT = 1


@dataclass
class Resolved:
    """What a build needs of the configuration once Kconfig has resolved
    it: ukcompart's option values (:func:`ukcompart.kconfig.layout_values`),
    the options ``.config`` does not set, and the parse's warnings."""

    values: Dict[str, str]
    unrecorded: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)


def _stat(path: str) -> Optional[List]:
    """[mtime, size, content digest] of ``path``, None if it is gone."""
    try:
        st = os.stat(path)
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size, digest]


def _unchanged(path: str, recorded) -> Tuple[bool, bool]:
    """(same contents, same time) of ``path`` against ``recorded``; the
    contents are read only when the time differs."""
    if not isinstance(recorded, list) or len(recorded) != 3:
        return False, False
    try:
        st = os.stat(path)
    except OSError:
        return False, False
    if [st.st_mtime_ns, st.st_size] == recorded[:2]:
        return True, True
    now = _stat(path)
    return now is not None and now[1:] == recorded[1:], False


def _well_formed(resolved: Resolved) -> bool:
    """Whether a :class:`Resolved` read back from JSON has its types."""
    return isinstance(resolved.values, dict) and \
        all(isinstance(k, str) and isinstance(v, str)
            for k, v in resolved.values.items()) and \
        all(isinstance(items, list) and
            all(isinstance(item, str) for item in items)
            for items in (resolved.unrecorded, resolved.warnings))


class ConfigCache:
    """``<build>/ukcompart/config.json``: a :class:`Resolved` and what it
    was resolved from, so a build whose inputs did not change skips
    parsing the tree's Kconfig (about 700 options in some 110 files).

    The key is cheap to compute: the ``.config`` digest, the Kconfig
    environment, the libraries found, and every Kconfig file read
    (``kconfig_filenames``, which includes the generated menus) and the
    sources of those menus here, by time and size, and by contents where
    the time changed (Make's Kconfig run rewrites the generated menus with
    the same text).  kconfiglib has no picklable state, so only results
    are kept, as JSON.
    """

    def __init__(self, emb: Embedding, env: Dict[str, str],
                 libraries: List[Library]):
        self.emb = emb
        self.path = emb.build / "ukcompart" / "config.json"
        try:
            config = hashlib.sha256(emb.dotconfig.read_bytes()).hexdigest()
        except OSError:
            config = ""
        self.key = {"format": CACHE_FORMAT, "config": config,
                    "env": dict(sorted(env.items())),
                    "libraries": [[lib.name, lib.kind] for lib in libraries]}

    @staticmethod
    def _own_files() -> List[str]:
        return [str(Path(__file__).resolve()),
                str(templates.template_path("compartments.uk.j2"))]

    def lookup(self) -> Optional[Resolved]:
        if not self.key["config"]:
            return None
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != self.key:
            return None
        files = data.get("files")
        if not isinstance(files, dict) or not files:
            return None
        retimed = False
        for name, recorded in files.items():
            same, same_time = _unchanged(name, recorded)
            if not same:
                return None
            if not same_time:
                # Rewritten with the same text (Make's Kconfig run
                # regenerates the tree's menus): still valid.
                files[name] = _stat(name)
                retimed = True
        try:
            resolved = Resolved(**data["resolved"])
        except (KeyError, TypeError):
            return None
        if not _well_formed(resolved):
            return None
        if retimed:
            write_atomic(self.path, json.dumps(data, sort_keys=True) + "\n")
        return resolved

    def store(self, kconf, resolved: Resolved) -> None:
        names = [str(Path(name).resolve()) for name in kconf.kconfig_filenames]
        files = {name: _stat(name) for name in names + self._own_files()}
        write_atomic(self.path, json.dumps(
            {"key": self.key, "files": files,
             "resolved": {"values": resolved.values,
                          "unrecorded": resolved.unrecorded,
                          "warnings": resolved.warnings}},
            sort_keys=True) + "\n")
