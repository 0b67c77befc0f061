"""jinja2 rendering of every generated file (Kconfig, linker script, asm).

Templates live in ``templates/`` beside this module.  Each starts with a
comment saying it is generated and from which template, so a reader who
opens a file in the build directory knows where to make a change.
"""

from pathlib import Path

import jinja2

from .fsutil import write_atomic

_DIR = Path(__file__).parent / "templates"

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(_DIR)),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(template: str, **context) -> str:
    """Render ``template`` with ``context``; unknown names are an error."""
    return _ENV.get_template(template).render(**context)


def render_to(path: Path, template: str, **context) -> bool:
    """Render into ``path`` atomically; True when the file changed."""
    return write_atomic(path, render(template, **context))


def template_path(template: str) -> Path:
    """The file a template is read from, for dependency tracking."""
    return _DIR / template
