"""Where things are: the tree, the app, the build directory, the image name.

The conventions follow Unikraft's own Makefile:

- ``UK_APP`` is the app directory (Unikraft's ``A=``); relative paths are
  taken from the directory ``scons`` was started in.  Default:
  ``examples/hello`` of this tree.
- ``O`` is the build directory; default ``<app>/build``.  ``.config``
  lives in the app directory, or in ``O`` when ``O`` is given, as with
  Unikraft's ``make O=``.
- The image is ``<build>/<app>_qemu-x86_64`` (a 32-bit multiboot ELF)
  beside ``<app>_qemu-x86_64.dbg`` (the 64-bit image with symbols), where
  ``<app>`` is the app directory's name.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .errors import ConfigError

PLATFORM = "qemu"
ARCH = "x86_64"


@dataclass
class Project:
    """The paths of one build, derived from the command-line variables."""

    tree: Path
    app: Path
    build: Path
    dotconfig: Path

    @property
    def app_name(self) -> str:
        return self.app.name

    @property
    def image_name(self) -> str:
        return f"{self.app_name}_{PLATFORM}-{ARCH}"

    @property
    def image(self) -> Path:
        return self.build / self.image_name

    @property
    def image_dbg(self) -> Path:
        return self.build / f"{self.image_name}.dbg"

    @property
    def defconfig(self) -> Optional[Path]:
        """The app's own default configuration, when it ships one."""
        path = self.app / "defconfig"
        return path if path.is_file() else None


def _resolve(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = base / path
    return path.resolve()


def from_arguments(tree: Path, launch_dir: Path, uk_app: str,
                   build_dir: str) -> Project:
    """Build a :class:`Project` from ``UK_APP`` and ``O`` as given."""
    app = _resolve(uk_app, launch_dir) if uk_app \
        else (tree / "examples" / "hello").resolve()
    if not app.is_dir():
        raise ConfigError(f"UK_APP={uk_app}: no such directory")
    if any(c.isspace() for c in str(app)):
        raise ConfigError(
            f"UK_APP={app}: the path contains white space, which Make-format "
            "files (Makefile.uk) split into words; move the app to a path "
            "without spaces")
    if not (app / "Config.uk").is_file() or \
            not (app / "Makefile.uk").is_file():
        raise ConfigError(
            f"UK_APP={app}: not an app directory (needs Config.uk and "
            "Makefile.uk)")
    if build_dir:
        build = _resolve(build_dir, launch_dir)
        dotconfig = build / ".config"
    else:
        build = app / "build"
        dotconfig = app / ".config"
    return Project(tree=tree.resolve(), app=app, build=build,
                   dotconfig=dotconfig)
