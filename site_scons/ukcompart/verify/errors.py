"""The verifier's one error type, and the one place input errors are caught.

Anything wrong with what the verifier was given (an image that is not a
64-bit ELF, a truncated or stripped one, a missing or garbled
``layout.json`` or ``.config``) is a :class:`BadInput`: one line naming the
file and what to do, exit status 2.  A check that fails is not an error;
it is a line of the report.

pyelftools reports corrupt input with its own ``ELFError`` but also, deeper
down, with ``struct.error``, its own ``assert`` statements (DWARF parsing)
and the ``IndexError``, ``KeyError`` and ``ValueError`` of whatever lookup
the corrupt value fed.  Every read of an
input file happens inside :func:`reading`, which turns all of them into a
:class:`BadInput` for that file.
"""

import struct
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from elftools.common.exceptions import ELFError

from ..errors import UkcError

PROG = "ukcompart-verify"


class BadInput(UkcError):
    """An input file the verifier cannot check; the message says which."""

    exit_status = 2


_CORRUPT = (ELFError, struct.error, IndexError, KeyError, ValueError,
            AssertionError, UnicodeDecodeError, OverflowError)


@contextmanager
def reading(path: Path, what: str, remedy: str) -> Iterator[None]:
    """Turn any error raised while parsing ``path`` into one BadInput.

    ``what`` names the kind of file ("ELF image", "object"), ``remedy``
    says what to do ("rebuild it with scons build").
    """
    try:
        yield
    except BadInput:
        raise
    except OSError as error:
        raise BadInput(f"{path}: cannot read {what}: "
                       f"{error.strerror or error}; {remedy}") from None
    except _CORRUPT as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() \
            else type(error).__name__
        raise BadInput(f"{path}: corrupt {what} ({detail}); {remedy}") \
            from None
