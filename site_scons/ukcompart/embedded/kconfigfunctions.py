"""kconfiglib's preprocessor-function hook for embedded mode.

kconfiglib imports the module named by ``KCONFIG_FUNCTIONS`` and adds its
``functions`` table to the built-in ones; this one replaces ``shell`` with
:func:`ukcompart.embedded.menus.shell`.
"""

from .menus import shell

functions = {"shell": (shell, 1, 1)}
