"""Exceptions for everything a user can get wrong.

Each class is one kind of mistake.  The message is a single line that names
the file, option or symbol involved and says what to do; the SConstruct and
the command-line scripts print it as ``ukcompart: error: <message>`` and exit
with a non-zero status, never with a traceback.
"""


class UkcError(Exception):
    """Base of every error meant for the user, not for a traceback."""

    exit_status = 2


class ConfigError(UkcError):
    """A Kconfig file or a ``.config`` is broken or inconsistent."""


class MakefileUkError(UkcError):
    """A ``Makefile.uk`` uses something outside the supported subset."""


class LibraryError(UkcError):
    """A library directory is incomplete or two libraries collide."""


class LayoutError(UkcError):
    """The compartment assignment cannot be laid out or isolated."""


class ToolMissing(UkcError):
    """A program the build needs (compiler, linker, QEMU) is not found."""


class ElfError(UkcError):
    """An ELF file is not what the step reading it expects."""
