"""Configuration through kconfiglib: generated menus, ``.config`` handling.

``.config`` (in the app directory, or in ``O=`` when given) is the single
source of truth.  Before kconfiglib reads the tree, the per-compartment and
per-library menus are generated from jinja2 templates into
``<build>/kconfig/``; standalone, a generated top-level file sources the
platform, the libraries, the app and this tree's ``Config.uk``.

Loading a ``.config`` is strict: an assignment to an unknown symbol, a
value of the wrong type or outside its range is an error that names the
file, line and option, where kconfiglib itself only warns and carries on
with a default.  Options the file does not mention yet (a library added
since) take their defaults, and the file is brought up to date.
"""

import io
import os
import re
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import kconfiglib

from . import templates
from .errors import ConfigError
from .fsutil import write_atomic
from .library import Library

MAX_COMPARTMENTS = 14

# Options that only place libraries or name compartments: they reach the
# build through Value nodes (linker script, gates, descriptors), never
# through the C header, so changing them recompiles nothing.
LAYOUT_ONLY = re.compile(r"^UKCOMPART_(LIB_\w+|COMP\d+_(NAME|STACK_SIZE))$")

# Per-compartment hardening options: they reach the build as compiler
# flags of that compartment's libraries only (graph.py), not through the
# C header, so changing one recompiles that compartment and nothing else.
HARDENING = re.compile(r"^UKCOMPART_COMP\d+_(STACKPROT\w*|UBSAN|CFPROT)$")

_CONFIG_LINE = re.compile(r"^(?:CONFIG_(\w+)=|# CONFIG_(\w+) is not set)")


@dataclass
class KconfigTree:
    """Where the Kconfig sources are and where generated files go."""

    top: Path
    kconfig_dir: Path
    environment: Dict[str, str]


def generate_standalone(tree: Path, build: Path, app_name: str,
                        libraries: List[Library]) -> KconfigTree:
    """Write the generated Kconfig files for standalone mode."""
    kconfig_dir = build / "kconfig"
    placeable = [lib for lib in libraries if lib.kind != "plat"
                 and lib.name != "libukcompart"]
    templates.render_to(kconfig_dir / "Config.uk", "Config.standalone.uk.j2",
                        app_name=app_name, libraries=libraries,
                        root_config_uk=tree / "Config.uk")
    templates.render_to(kconfig_dir / "compartments.uk", "compartments.uk.j2",
                        max_compartments=MAX_COMPARTMENTS,
                        libraries=placeable)
    return KconfigTree(top=kconfig_dir / "Config.uk", kconfig_dir=kconfig_dir,
                       environment={"UKCOMPART_KCONFIG_DIR": str(kconfig_dir)})


def _one_line(text: str) -> str:
    return "; ".join(part.strip() for part in str(text).splitlines()
                     if part.strip())


def parse(tree: KconfigTree) -> kconfiglib.Kconfig:
    """Parse the Kconfig tree; a syntax error becomes one ConfigError line."""
    os.environ.update(tree.environment)
    stderr = io.StringIO()
    try:
        with redirect_stderr(stderr):
            kconf = kconfiglib.Kconfig(str(tree.top), warn_to_stderr=False)
    except kconfiglib.KconfigError as e:
        # kconfiglib says "<file>:<line>: error: ..."; ours adds "error:".
        raise ConfigError(re.sub(r"^(\S+:\d+: )error: ", r"\1",
                                 _one_line(e))) from None
    except OSError as e:
        raise ConfigError(
            f"{e.filename or tree.top}: cannot read Kconfig file: "
            f"{e.strerror}") from None
    for warning in kconf.warnings:
        text = re.sub(r"^(\S+:\d+: )?warning: ", r"\1", _one_line(warning))
        print(f"ukcompart: warning: {text}", file=sys.stderr)
    kconf.warnings = []
    return kconf


def _line_of(path: Path, name: str) -> int:
    try:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = _CONFIG_LINE.match(line)
            if match and name in match.groups():
                return number
    except OSError:
        pass
    return 0


def read_text(path: Path) -> str:
    """A configuration file's text; unreadable or binary is one error."""
    if path.is_dir():
        raise ConfigError(f"{path}: is a directory, not a configuration "
                          "file; remove it or run 'scons defconfig'")
    try:
        return path.read_text()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file (a .config is UTF-8 "
                          "text); fix it or run 'scons defconfig'") from None


def load(kconf: kconfiglib.Kconfig, path: Path,
         drop_unknown: bool = False) -> List[str]:
    """Load ``path`` into ``kconf``, refusing anything kconfiglib ignores.

    With ``drop_unknown`` (``olddefconfig``), assignments to options the
    tree does not have are left out instead of refused; their names are
    returned.
    """
    text = read_text(path)
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#") \
                and not stripped.startswith("CONFIG_"):
            raise ConfigError(
                f"{path}:{number}: '{stripped}' is not a .config line "
                "(expected CONFIG_NAME=value); fix it or run "
                "'scons defconfig'")

    kconf.warnings = []
    with redirect_stderr(io.StringIO()):
        kconf.load_config(str(path))
        dropped = [f"CONFIG_{name}" for name, _ in kconf.missing_syms]
        if kconf.missing_syms and not drop_unknown:
            name, value = kconf.missing_syms[0]
            raise ConfigError(
                f"{path}:{_line_of(path, name)}: CONFIG_{name}={value}: no "
                "such option in this tree; remove the line or run "
                "'scons olddefconfig'")
        # Range checks happen when a value is computed: compute them all.
        for sym in kconf.unique_defined_syms:
            sym.str_value
    if kconf.warnings:
        warning = _one_line(kconf.warnings[0])
        located = re.match(r"^(.*?):(\d+): warning: (.*)$", warning)
        if located:
            where = f"{located.group(1)}:{located.group(2)}"
            warning = located.group(3)
        else:
            warning = re.sub(r"^warning: ", "", warning)
            name = _warned_symbol(warning)
            where = f"{path}:{_line_of(path, name)}" if name else str(path)
        warning = warning.rstrip(".")
        raise ConfigError(f"{where}: {_explain(warning)}; fix the value in "
                          "'scons menuconfig' or the file")
    return dropped


def unrecorded(kconf: kconfiglib.Kconfig, path: Path) -> List[str]:
    """Options ``.config`` would hold but does not mention (new ones)."""
    present = set()
    for line in read_text(path).splitlines():
        match = _CONFIG_LINE.match(line.strip())
        if match:
            present.add(match.group(1) or match.group(2))
    written = set()
    for line in config_text(kconf).splitlines():
        match = _CONFIG_LINE.match(line)
        if match:
            written.add(match.group(1) or match.group(2))
    return sorted(written - present)


_RANGE = re.compile(r"user value (\S+) on the \w+ symbol (\w+) \(defined at "
                    r"([^)]*)\) ignored due to being outside the active "
                    r"range \(\[(\S+), (\S+)\]\)")
_WHY = {"UKCOMPART_NUM": " (16 protection keys: 0 is the core, 15 the "
                         "shared region)"}


def _explain(warning: str) -> str:
    """kconfiglib's warning, reworded as the error it is here."""
    match = _RANGE.search(warning)
    if not match:
        return warning
    value, name, where, low, high = match.groups()
    return (f"CONFIG_{name}={value} is outside its range {low}..{high}"
            f"{_WHY.get(name, '')}, defined at {where}")


def _warned_symbol(warning: str) -> Optional[str]:
    match = re.search(r"symbol (\w+)|for (\w+)|symbol CONFIG_(\w+)", warning)
    if not match:
        return None
    return next(group for group in match.groups() if group)


def written(write, **kwargs) -> str:
    """Run one of kconfiglib's file writers into a string."""
    fd, tmp = tempfile.mkstemp(prefix=".ukcompart-kconfig.")
    os.close(fd)
    try:
        with redirect_stdout(io.StringIO()):
            write(tmp, **kwargs)
        return Path(tmp).read_text()
    finally:
        os.unlink(tmp)


def config_text(kconf: kconfiglib.Kconfig) -> str:
    """The ``.config`` text kconfiglib writes for ``kconf``, under the
    header Unikraft's own Kconfig tool (``conf``) writes: when that tool
    rewrites the file during Make's build, its contents stay the same."""
    header = ("#\n# Automatically generated file; DO NOT EDIT.\n"
              f"# {kconf.mainmenu_text}\n#\n")
    return written(kconf.write_config, header=header, save_old=False)


def save(kconf: kconfiglib.Kconfig, path: Path) -> bool:
    """Write ``.config`` atomically; True when its contents changed."""
    return write_atomic(path, config_text(kconf))


def values(kconf: kconfiglib.Kconfig) -> Dict[str, str]:
    """``CONFIG_NAME`` to value, as Make would see the ``.config``.

    Disabled booleans are absent, as unset variables are in Make.
    """
    result = {}
    for sym in kconf.unique_defined_syms:
        value = sym.str_value
        if sym.type in (kconfiglib.BOOL, kconfiglib.TRISTATE) \
                and value == "n":
            continue
        if sym.config_string:
            result[f"CONFIG_{sym.name}"] = value
    return result


def layout_values(kconf: kconfiglib.Kconfig) -> Dict[str, str]:
    """The resolved values of ukcompart's own options (``UKCOMPART*``),
    by name without ``CONFIG_``: all that :func:`ukcompart.model.from_config`
    reads."""
    return {sym.name: sym.str_value for sym in kconf.unique_defined_syms
            if sym.name.startswith("UKCOMPART")}


def header_text(kconf: kconfiglib.Kconfig) -> str:
    """The C configuration header, without layout and hardening options."""
    text = written(kconf.write_autoconf,
                    header="/* Generated by ukcompart from .config; "
                           "do not edit. */\n")
    kept = []
    for line in text.splitlines():
        match = re.match(r"#define CONFIG_(\w+)", line)
        if match and (LAYOUT_ONLY.match(match.group(1))
                      or HARDENING.match(match.group(1))):
            continue
        kept.append(line)
    return "\n".join(kept) + "\n"


def autoconf_text(kconf: kconfiglib.Kconfig) -> str:
    """``auto.conf``: the enabled options, as Make-readable assignments."""
    lines = ["# Generated by ukcompart from .config; do not edit."]
    for sym in kconf.unique_defined_syms:
        line = sym.config_string
        if line and not line.startswith("#"):
            lines.append(line.rstrip("\n"))
    return "\n".join(lines) + "\n"


def defaults(kconf: kconfiglib.Kconfig, defconfig: Optional[Path]) -> None:
    """Reset ``kconf`` to its defaults, then apply ``defconfig`` if any."""
    kconf.unset_values()
    if defconfig is not None:
        if not defconfig.is_file():
            raise ConfigError(f"{defconfig}: no such defconfig file; "
                              "check DEFCONFIG=")
        load(kconf, defconfig)


def min_config_text(kconf: kconfiglib.Kconfig) -> str:
    """What ``savedefconfig`` writes: only options that differ from defaults."""
    return written(kconf.write_min_config)
