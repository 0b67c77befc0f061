"""SCons tool: verify the linked image and draw its memory map.

Builder:

``UkcVerify([image_dbg, dotconfig, layout_json])``
    runs :func:`ukcompart.verify.verify` on the 64-bit image and writes
    ``<build>/ukcompart/verify.txt`` (the report table) and
    ``<build>/memory-map.svg``, where ``<build>`` is the image's
    directory.  A failed check prints the table and fails the build; an
    input the verifier cannot read prints one ``ukcompart: error:`` line.
    Either way neither file is left behind, so nothing looks verified.

The libraries' linked objects named in ``layout.json`` are read too; the
caller declares them with ``env.Depends(verified, objects)``.
"""

import importlib.util
import sys
from pathlib import Path

from SCons.Action import Action
from SCons.Builder import Builder

from ukcompart.errors import UkcError
from ukcompart.fsutil import write_atomic

REPORT = Path("ukcompart") / "verify.txt"
MEMORY_MAP = "memory-map.svg"


def _targets(image: Path):
    build = image.parent
    return [build / REPORT, build / MEMORY_MAP]


def _emitter(target, source, env):
    image = Path(str(source[0]))
    return [str(path) for path in _targets(image)], source


def _discard(target) -> None:
    for node in target:
        Path(str(node)).unlink(missing_ok=True)


def _verify(target, source, env):
    from ukcompart.verify import memmap, verify

    image, config, layout = (Path(str(node)) for node in source[:3])
    report_path, svg_path = (Path(str(node)) for node in target[:2])
    try:
        report = verify(image, config, layout)
        svg = memmap.svg(report)
    except UkcError as error:
        _discard(target)
        print(f"ukcompart: error: {error}", file=sys.stderr)
        return error.exit_status
    if not report.ok:
        _discard(target)
        sys.stdout.write(report.table())
        print(f"ukcompart: error: {image}: verification failed "
              f"({', '.join(report.failed())}); the table above says "
              "where", file=sys.stderr)
        return 1
    write_atomic(report_path, report.table())
    write_atomic(svg_path, svg)
    return 0


def _describe(target, source, env):
    image, config, layout = (str(node) for node in source[:3])
    if env.get("V"):
        return (f"ukcompart-verify {image} --config {config} "
                f"--layout {layout} > {target[0]} --svg {target[1]}")
    return f"  {'VERIFY':<7} {image}"


def generate(env) -> None:
    env["BUILDERS"]["UkcVerify"] = Builder(
        action=Action(_verify, _describe), emitter=_emitter)


def exists(env) -> bool:
    return all(importlib.util.find_spec(module) is not None
               for module in ("capstone", "elftools"))
