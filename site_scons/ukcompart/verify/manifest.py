"""``layout.json``: which linked object holds which library.

The build writes ``<build>/ukcompart/layout.json`` (see
:meth:`ukcompart.model.Layout.manifest`).  The verifier takes from it only
the libraries and their object file names, which lie in the build
directory beside the image; where each library belongs comes from the
configuration, so an image built from another ``.config`` fails checks
instead of being measured against itself.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict

from .errors import BadInput

MANIFEST_VERSION = 1
_REMEDY = "rebuild with scons build, which writes it, or name it with " \
    "--layout FILE"


@dataclass
class Manifest:
    path: Path
    objects: Dict[str, Path]      # library -> linked object


def default_path(image: Path) -> Path:
    """Where the build puts ``layout.json`` for ``image``."""
    return Path(image).parent / "ukcompart" / "layout.json"


def read(path: Path, build_dir: Path) -> Manifest:
    """Read ``path``; objects are resolved in ``build_dir``."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path}: no such layout.json; {_REMEDY}")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as error:
        raise BadInput(f"{path}: cannot read layout.json: "
                       f"{error.strerror or error}; {_REMEDY}") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path}: layout.json is not UTF-8 text; {_REMEDY}") \
            from None
    except json.JSONDecodeError as error:
        raise BadInput(f"{path}:{error.lineno}: layout.json is not valid "
                       f"JSON ({error.msg}); {_REMEDY}") from None

    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        raise BadInput(f"{path}: not a version {MANIFEST_VERSION} "
                       f"layout.json; {_REMEDY}")
    libraries = data.get("libraries")
    if not isinstance(libraries, dict) or not libraries:
        raise BadInput(f"{path}: layout.json has no \"libraries\" object; "
                       f"{_REMEDY}")
    objects = {}
    for library, entry in libraries.items():
        name = entry.get("object") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name or "/" in name \
                or name in (".", ".."):
            raise BadInput(f"{path}: library {library!r} has no object "
                           f"file name; {_REMEDY}")
        objects[library] = Path(build_dir) / name
    return Manifest(path=path, objects=objects)
