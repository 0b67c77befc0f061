"""jinja2 rendering of every generated file (Kconfig, linker script, asm).

Templates live in ``templates/`` beside this module, and those of embedded
mode in ``embedded/templates/``.  Each starts with a
comment saying it is generated and from which template, so a reader who
opens a file in the build directory knows where to make a change.
"""

import functools
from pathlib import Path

from .fsutil import write_atomic

_DIRS = (Path(__file__).parent / "templates",
         Path(__file__).parent / "embedded" / "templates")


@functools.lru_cache(maxsize=None)
def _environment():
    # Imported on first use: a build with nothing to generate (a no-op)
    # never pays for jinja2.
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in _DIRS]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def load(template: str) -> None:
    """Read and compile ``template`` now, ahead of its first rendering."""
    _environment().get_template(template)


def render(template: str, **context) -> str:
    """Render ``template`` with ``context``; unknown names are an error."""
    return _environment().get_template(template).render(**context)


def render_to(path: Path, template: str, **context) -> bool:
    """Render into ``path`` atomically; True when the file changed."""
    return write_atomic(path, render(template, **context))


def template_path(template: str) -> Path:
    """The file a template is read from, for dependency tracking."""
    return next((d / template for d in _DIRS if (d / template).is_file()),
                _DIRS[0] / template)
