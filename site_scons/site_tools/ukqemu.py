"""SCons tool: the ``run`` action, booting the image in QEMU.

``UkcRun(image)`` returns an action that boots the image with
``-cpu $QEMU_CPU`` (``max`` by default: no KVM, and software emulation
enforces protection keys), streams the console, and makes ``scons`` exit
with the guest's own exit status.
"""

import atexit
import os
import sys

from SCons.Action import Action
from pathlib import Path

from ukcompart import qemu
from ukcompart.errors import UkcError


_guest_status = {"value": 0}


def _leave_with_guest_status() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_guest_status["value"])


def _exit_with(status: int) -> None:
    """Make ``scons`` end with exactly the guest's status.

    SCons maps a failed action to its own status 2 and a SystemExit to an
    "Explicit exit" error line; a run target's whole point is the guest
    status, so the action succeeds and the status is applied once SCons
    has finished (its signature database written) and Python exits.
    """
    if _guest_status["value"] == 0 and status != 0:
        atexit.register(_leave_with_guest_status)
    _guest_status["value"] = status


def _run(target, source, env):
    try:
        timeout = float(env["QEMU_TIMEOUT"])
    except ValueError:
        print(f"ukcompart: error: QEMU_TIMEOUT={env['QEMU_TIMEOUT']} is not "
              "a number of seconds", file=sys.stderr)
        return 2
    try:
        result = qemu.boot(Path(str(source[0])), qemu=env["QEMU"],
                           cpu=env["QEMU_CPU"], append=env["APPEND"],
                           timeout=timeout, stream=sys.stdout)
    except UkcError as error:
        print(f"ukcompart: error: {error}", file=sys.stderr)
        _exit_with(error.exit_status)
        return 0
    _exit_with(result.status)
    return 0


def _describe(target, source, env):
    if env["V"]:
        return " ".join(qemu.command(env["QEMU"], Path(str(source[0])),
                                     env["QEMU_CPU"], env["APPEND"]))
    return f"  QEMU    {source[0]}"


def generate(env) -> None:
    env.AddMethod(lambda env: Action(_run, _describe), "UkcRunAction")


def exists(env) -> bool:
    return True
