"""The SCons side: command-line variables, targets and the build graph.

``SConstruct`` calls :func:`main`.  Configuration targets (``menuconfig``,
``defconfig``, ``olddefconfig``, ``savedefconfig``) act while the
SConstruct is read, because the build graph is derived from ``.config``:
that is what makes ``scons defconfig build run`` work in one invocation.
Everything else is declared as SCons builders (``site_tools/uk*.py``) so
that a change rebuilds exactly what depends on it.
"""

import os
import shutil
import sys
from pathlib import Path
from typing import Dict, List

import SCons.Errors
import SCons.Script as S

from . import graph, kconfig, library, model, project
from .errors import ConfigError, ToolMissing, UkcError
from .fsutil import write_atomic
from .makefile_uk import read_makefile_uk

CONFIG_TARGETS = ("menuconfig", "defconfig", "olddefconfig", "savedefconfig")
BUILD_TARGETS = ("build", "run", "verify")

TARGETS_HELP = """
Targets:
  build          compile, generate gates and linker script, link, verify
                 (the default target)
  run            build, then boot the image in QEMU and exit with the
                 guest's exit status
  verify         check the linked image against the configuration
  menuconfig     edit .config in kconfiglib's terminal menuconfig
  defconfig      write .config from DEFCONFIG, else the app's defconfig file,
                 else the defaults
  olddefconfig   bring .config up to date: new options get their defaults
  savedefconfig  write a minimal defconfig to <build>/defconfig
  -c             remove what the build produced (scons -c)

Examples:
  scons                                         build examples/hello
  scons run                                     build and boot it
  scons UK_APP=examples/two-comps defconfig build run
  scons V=1 -j2                                 full command lines, 2 jobs
"""


def variables() -> S.Variables:
    """Every command-line variable, with its help text."""
    result = S.Variables(None, S.ARGUMENTS)
    result.Add("UK_APP", "app directory to build (Unikraft's A=)",
               "examples/hello")
    result.Add("O", "build directory (default: <UK_APP>/build); .config "
               "then lives there too", "")
    result.Add("DEFCONFIG", "defconfig file for the defconfig target "
               "(default: <UK_APP>/defconfig if present)", "")
    result.Add(S.BoolVariable("V", "print full command lines", False))
    result.Add("APPEND", "command line passed to the image by 'run'", "")
    result.Add("IMAGE", "image for 'verify' to check instead of the one "
               "this build links (a .dbg image)", "")
    result.Add("QEMU", "QEMU binary used by 'run'", "qemu-system-x86_64")
    result.Add("QEMU_CPU", "CPU model for 'run' (needs PKU for MPK)", "max")
    result.Add("QEMU_TIMEOUT", "seconds before 'run' stops a guest that "
               "does not exit", "60")
    result.Add("CROSS_COMPILE", "prefix of gcc, ld and objcopy", "")
    result.Add("UK_ROOT", "Unikraft tree to build UK_APP of, with "
               "compartments (embedded mode; docs/embedded.md)", "")
    result.Add("UK_LIBS", "with UK_ROOT: external libraries, colon "
               "separated (Unikraft's L=)", "")
    return result


def _one_line(error) -> str:
    return ": ".join(part.strip() for part in str(error).splitlines()
                     if part.strip())


def fail(error: UkcError) -> None:
    print(f"ukcompart: error: {error}", file=sys.stderr)
    S.Exit(error.exit_status)


def _config_action(action: str, kconf, proj: project.Project,
                   defconfig: str) -> None:
    if action == "defconfig":
        source = Path(defconfig).resolve() if defconfig else proj.defconfig
        kconfig.defaults(kconf, source)
        kconfig.save(kconf, proj.dotconfig)
        origin = source if source else "the Kconfig defaults"
        print(f"ukcompart: wrote {proj.dotconfig} from {origin}")
    elif action == "olddefconfig":
        if proj.dotconfig.exists():
            for name in kconfig.load(kconf, proj.dotconfig,
                                     drop_unknown=True):
                print(f"ukcompart: dropped {name}: no such option in this "
                      "tree")
        kconfig.save(kconf, proj.dotconfig)
        print(f"ukcompart: updated {proj.dotconfig}")
    elif action == "savedefconfig":
        _load_or_default(kconf, proj)
        target = proj.build / "defconfig"
        write_atomic(target, kconfig.min_config_text(kconf))
        print(f"ukcompart: wrote {target}")
    elif action == "menuconfig":
        _menuconfig(kconf, proj)


def _menuconfig(kconf, proj: project.Project) -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise ConfigError("menuconfig needs a terminal (stdin and stdout "
                          "must be a tty); use defconfig or edit .config")
    import menuconfig as kconfiglib_menuconfig

    _load_or_default(kconf, proj)
    os.environ["KCONFIG_CONFIG"] = str(proj.dotconfig)
    kconfiglib_menuconfig.menuconfig(kconf)


def _load_or_default(kconf, proj: project.Project) -> None:
    """Load ``.config``, or make one from the defaults and say so.

    An existing ``.config`` is never rewritten here: options it does not
    mention yet take their defaults for this build, and the user is told
    how to record them.
    """
    if proj.dotconfig.exists():
        kconfig.load(kconf, proj.dotconfig)
        report_unrecorded(proj.dotconfig,
                          kconfig.unrecorded(kconf, proj.dotconfig))
        return
    kconfig.defaults(kconf, proj.defconfig)
    kconfig.save(kconf, proj.dotconfig)
    origin = proj.defconfig if proj.defconfig else "the Kconfig defaults"
    print(f"ukcompart: no .config: using the default configuration from "
          f"{origin} (written to {proj.dotconfig})")


def report_unrecorded(dotconfig: Path, missing: List[str]) -> None:
    """Say that ``.config`` leaves options to their defaults, if it does."""
    if missing:
        print(f"ukcompart: {dotconfig} does not set {len(missing)} "
              f"option(s) (CONFIG_{missing[0]}, ...): using their defaults; "
              "'scons olddefconfig' records them")


def _check_timeout(value: str) -> None:
    try:
        if float(value) > 0:
            return
    except ValueError:
        pass
    raise ConfigError(f"QEMU_TIMEOUT={value} is not a positive number of "
                      "seconds")


def _done(target, source, env):
    """Configuration targets act while SConstruct is read; nothing is left."""
    return 0


def _read_libraries(libraries: List[library.Library],
                    values: Dict[str, str]):
    specs = [read_makefile_uk(lib.makefile_uk, values) for lib in libraries]
    return [spec for spec in specs if spec.enabled]


def main(tree: Path) -> None:
    """Declare everything; called from ``SConstruct``."""
    opts = variables()
    try:
        env = S.Environment(tools=[], variables=opts, ENV=os.environ.copy())
    except SCons.Errors.UserError as error:
        fail(ConfigError(f"{_one_line(error)}; 'scons -h' lists the "
                         "variables"))
        return
    unknown = opts.UnknownVariables()
    S.Help(opts.GenerateHelpText(env, sort=False) + TARGETS_HELP,
           append=False)
    if S.GetOption("help"):
        return
    try:
        if unknown:
            raise ConfigError(
                f"unknown variable {next(iter(unknown))}=; "
                "'scons -h' lists the variables")
        if env["UK_ROOT"]:
            from .embedded import declare as embedded
            embedded.main(env, tree)
        elif env["UK_LIBS"]:
            raise ConfigError("UK_LIBS= needs UK_ROOT= (external libraries "
                              "of a Unikraft tree)")
        else:
            _declare(env, tree)
    except UkcError as error:
        fail(error)


def _declare(env, tree: Path) -> None:
    targets = list(S.COMMAND_LINE_TARGETS)
    proj = project.from_arguments(tree, Path(S.GetLaunchDir()),
                                  env["UK_APP"], env["O"])
    # SCons's signature database lives with what it describes, so builds
    # of different apps or build directories never share (or race on) it.
    proj.build.mkdir(parents=True, exist_ok=True)
    S.SConsignFile(str(proj.build / ".sconsign"))
    libraries = library.discover(tree, proj.app)
    tree_files = kconfig.generate_standalone(tree, proj.build,
                                             proj.app_name, libraries)
    kconf = kconfig.parse(tree_files)

    cleaning = S.GetOption("clean")
    for action in CONFIG_TARGETS:
        if action in targets and not cleaning:
            _config_action(action, kconf, proj, env["DEFCONFIG"])
        env.AlwaysBuild(env.Alias(action, [], S.Action(_done, None)))

    wants_build = not targets or any(t not in CONFIG_TARGETS
                                     for t in targets)
    if not wants_build:
        return
    if cleaning:
        if proj.dotconfig.is_file():
            kconfig.load(kconf, proj.dotconfig)
    else:
        _load_or_default(kconf, proj)

    values = kconfig.values(kconf)
    specs = _read_libraries(libraries, values)
    enabled = [spec.name for spec in specs]
    layout = model.from_config(kconfig.layout_values(kconf), libraries,
                              enabled)

    toolpath = [str(tree / "site_scons" / "site_tools")]
    for tool in ("ukcc", "uklink", "ukqemu", "ukverify"):
        env.Tool(tool, toolpath=toolpath)
    if not cleaning:
        env.UkcCheckTools()
        if "run" in targets:
            _check_timeout(env["QEMU_TIMEOUT"])
        if "run" in targets and shutil.which(env["QEMU"]) is None:
            raise ToolMissing(
                f"{env['QEMU']} not found (QEMU); install QEMU (Debian: "
                "apt-get install qemu-system-x86) or set QEMU=")

    graph.declare(env, proj, kconf, specs, layout)
