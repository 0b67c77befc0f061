"""The environment Unikraft's Makefile hands its Kconfig, derived in Python.

Unikraft's top-level ``Config.uk`` reads about fifteen variables from the
environment (``COMMON_CONFIG_ENV`` in its Makefile).  kconfiglib expands a
missing one to the empty string without a word, and whole menus vanish
(without ``KCONFIG_LIB_BASE`` every library), so :func:`derive` sets every
one, with the values the Makefile computes:

==================== ==================================================
``UK_BASE``          the Unikraft tree (``UK_ROOT``)
``UK_APP``           the app directory (``A=``)
``UK_NAME``          the image name: ``CONFIG_UK_NAME`` of ``.config``,
                     else the app directory's name (``N=`` unsupported)
``KCONFIG_DIR``      ``<build>/kconfig``, where generated menus go
``KCONFIG_*_BASE``   ``<tree>/lib``, ``<tree>/plat``, ``<tree>/drivers``
``KCONFIG_ELIB_DIRS`` the external libraries, colon separated (``L=``)
``KCONFIG_EPLAT_DIRS`` external platforms (``P=``): none
``KCONFIG_EAPP_DIR`` the app, unless it is the tree itself
``KCONFIG_EXCLUDEDIRS`` excluded libraries (``E=``): none
``UK_FULLVERSION``   ``<version>.<sub>.<extra>~<git sha>`` (version.mk,
                     support/scripts/gitsha1)
``UK_CODENAME``      from version.mk
``UK_ARCH``          ``CONFIG_UK_ARCH`` of ``.config``, else the host's
``HOST_ARCH``        the host architecture, Unikraft's spelling
==================== ==================================================
"""

import os
import platform
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from ..errors import ConfigError

# Everything COMMON_CONFIG_ENV passes that Config.uk files read.
REQUIRED = ("UK_BASE", "UK_APP", "UK_NAME", "KCONFIG_DIR",
            "KCONFIG_PLAT_BASE", "KCONFIG_LIB_BASE", "KCONFIG_DRIV_BASE",
            "KCONFIG_EAPP_DIR", "KCONFIG_ELIB_DIRS", "KCONFIG_EPLAT_DIRS",
            "KCONFIG_EXCLUDEDIRS", "UK_FULLVERSION", "UK_CODENAME",
            "UK_ARCH", "HOST_ARCH")

# The host spelling rules of the Makefile's HOSTARCH sed script.
_ARCH_RULES = ((r"i.86", "x86"), (r"aarch64.*|arm64.*", "arm64"),
               (r"ppc64", "powerpc64"))

_VERSION_LINE = re.compile(r"^\s*(UK_\w+)\s*[:?]?=\s*(.*?)\s*$")
_CONFIG_STRING = re.compile(r'^CONFIG_(UK_NAME|UK_ARCH)="(.*)"$')


@dataclass
class Embedding:
    """Where everything is, for one embedded build."""

    uk_root: Path
    app: Path
    libs: List[Path]                # external libraries, ukcompart's last
    build: Path
    dotconfig: Path
    extra: Dict[str, str] = field(default_factory=dict)

    @property
    def kconfig_dir(self) -> Path:
        return self.build / "kconfig"


def host_arch(machine: Optional[str] = None) -> str:
    """The host architecture as Unikraft names it (``x86_64``, ``arm64``)."""
    arch = machine or platform.machine()
    for pattern, name in _ARCH_RULES:
        if re.fullmatch(pattern, arch):
            return name
    return arch


def read_version(uk_root: Path) -> Dict[str, str]:
    """``UK_VERSION``, ``UK_SUBVERSION``, ``UK_EXTRAVERSION``, ``UK_CODENAME``."""
    path = uk_root / "version.mk"
    try:
        text = path.read_text()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror}); UK_ROOT must "
                          "be a Unikraft tree") from None
    values = {}
    for line in text.splitlines():
        match = _VERSION_LINE.match(line.split("#", 1)[0])
        if match:
            values[match.group(1)] = match.group(2)
    for name in ("UK_VERSION", "UK_SUBVERSION"):
        if name not in values:
            raise ConfigError(f"{path}: no {name} line; UK_ROOT must be a "
                              "Unikraft tree")
    return values


def git_suffix(uk_root: Path) -> str:
    """What support/scripts/gitsha1 prints: ``~<sha>`` or ``~<sha>-custom``."""
    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", *args], cwd=uk_root,
                                  capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    sha = git("rev-parse", "--short", "HEAD")
    if not sha:
        return ""
    return f"~{sha}-custom" if git("ls-files", "-m") else f"~{sha}"


def full_version(version: Dict[str, str], suffix: str) -> str:
    parts = [version["UK_VERSION"], version["UK_SUBVERSION"]]
    if version.get("UK_EXTRAVERSION"):
        parts.append(version["UK_EXTRAVERSION"])
    return ".".join(parts) + suffix


def config_strings(dotconfig: Path) -> Dict[str, str]:
    """``UK_NAME`` and ``UK_ARCH`` as an existing ``.config`` sets them."""
    found = {}
    try:
        lines = dotconfig.read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        match = _CONFIG_STRING.match(line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def derive(emb: Embedding, version: Dict[str, str], suffix: str,
           machine: Optional[str] = None) -> Dict[str, str]:
    """The Kconfig environment of ``emb`` (module docstring has the table)."""
    known = config_strings(emb.dotconfig)
    host = host_arch(machine)
    eapp = "" if emb.app == emb.uk_root else str(emb.app)
    result = {
        "UK_BASE": str(emb.uk_root),
        "UK_APP": str(emb.app),
        "UK_NAME": known.get("UK_NAME") or emb.app.name,
        "KCONFIG_DIR": str(emb.kconfig_dir),
        "KCONFIG_PLAT_BASE": str(emb.uk_root / "plat"),
        "KCONFIG_LIB_BASE": str(emb.uk_root / "lib"),
        "KCONFIG_DRIV_BASE": str(emb.uk_root / "drivers"),
        "KCONFIG_EAPP_DIR": eapp,
        "KCONFIG_ELIB_DIRS": ":".join(str(lib) for lib in emb.libs),
        "KCONFIG_EPLAT_DIRS": "",
        "KCONFIG_EXCLUDEDIRS": "",
        "UK_FULLVERSION": full_version(version, suffix),
        "UK_CODENAME": version.get("UK_CODENAME", ""),
        "UK_ARCH": known.get("UK_ARCH") or host,
        "HOST_ARCH": host,
    }
    result.update(emb.extra)
    missing = [name for name in REQUIRED if name not in result]
    if missing:
        raise ConfigError(f"Kconfig environment lacks {', '.join(missing)}")
    return result


def _resolve(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return (path if path.is_absolute() else base / path).resolve()


def from_arguments(tree: Path, launch_dir: Path, uk_root: str, uk_app: str,
                   uk_libs: str, build_dir: str) -> Embedding:
    """An :class:`Embedding` from the command-line variables, checked."""
    root = _resolve(uk_root, launch_dir)
    if not (root / "Config.uk").is_file() or \
            not (root / "support" / "build" / "Makefile.rules").is_file():
        raise ConfigError(f"UK_ROOT={uk_root}: not a Unikraft tree (no "
                          "Config.uk and support/build/Makefile.rules)")
    if not uk_app:
        raise ConfigError("UK_APP= is required with UK_ROOT= (Unikraft's "
                          "A=): the app directory to build")
    app = _resolve(uk_app, launch_dir)
    if not (app / "Config.uk").is_file() or \
            not (app / "Makefile.uk").is_file():
        raise ConfigError(f"UK_APP={uk_app}: not an app directory (needs "
                          "Config.uk and Makefile.uk)")
    libs = []
    for item in filter(None, uk_libs.split(":")):
        lib = _resolve(item, launch_dir)
        if not (lib / "Makefile.uk").is_file():
            raise ConfigError(f"UK_LIBS: {item}: not a library directory "
                              "(no Makefile.uk)")
        libs.append(lib)
    libs.append(tree.resolve())
    build = _resolve(build_dir, launch_dir) if build_dir else app / "build"
    try:
        build.relative_to(root)
        raise ConfigError(f"O={build}: inside UK_ROOT; the Unikraft tree "
                          "stays untouched, pick a build directory outside")
    except ValueError:
        pass
    return Embedding(uk_root=root, app=app, libs=libs, build=build,
                     dotconfig=build / ".config")


def apply(env: Dict[str, str]) -> None:
    """Put ``env`` into this process's environment (kconfiglib reads it)."""
    os.environ.update(env)
