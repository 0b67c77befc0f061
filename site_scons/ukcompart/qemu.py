"""Booting an image in QEMU and reading back the guest's exit status.

The image leaves through QEMU's ``isa-debug-exit`` device at port 0xf4:
writing ``v`` makes QEMU exit with ``(v << 1) | 1``, so a guest status is
always odd on the host side.  An even exit status means the guest never
reached that port (with ``-no-reboot``, a triple fault ends QEMU with 0).
The console (COM1) is streamed to the caller; the firmware's banner and
terminal control sequences, written on the same serial line before the
guest starts, are dropped.
"""

import re
import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, TextIO

from .errors import ToolMissing, UkcError

DEBUG_EXIT_PORT = 0xf4
_ESCAPE = re.compile(rb"\x1b(\[[0-9;?]*[A-Za-z]|c|[()][A-Za-z0-9])")
# SeaBIOS prints its banner on the serial console and this line last,
# right before it jumps to the multiboot loader of -kernel.
FIRMWARE_DONE = b"Booting from ROM.."
FIRMWARE_MAX = 64 * 1024


class GuestError(UkcError):
    """The guest did not exit through isa-debug-exit, or QEMU failed."""

    exit_status = 125


@dataclass
class Boot:
    status: int
    console: str


def command(qemu: str, image: Path, cpu: str, append: str,
            extra: Optional[List[str]] = None) -> List[str]:
    """The QEMU command line that boots ``image``."""
    line = [qemu, "-cpu", cpu, "-m", "128M", "-nographic", "-no-reboot",
            "-nic", "none",
            "-device", f"isa-debug-exit,iobase={DEBUG_EXIT_PORT:#x},"
            "iosize=0x04", "-kernel", str(image)]
    if append:
        line += ["-append", append]
    return line + list(extra or [])


def boot(image: Path, qemu: str = "qemu-system-x86_64", cpu: str = "max",
         append: str = "", timeout: float = 60.0,
         stream: Optional[TextIO] = None) -> Boot:
    """Boot ``image``; return the guest status and what it printed."""
    if shutil.which(qemu) is None:
        raise ToolMissing(
            f"{qemu} not found; install QEMU (Debian: apt-get install "
            "qemu-system-x86) or set QEMU=")
    if not Path(image).is_file():
        raise GuestError(f"{image}: no such image; run 'scons build' first")

    process = subprocess.Popen(command(qemu, image, cpu, append),
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    output = bytearray()
    deadline = time.monotonic() + timeout
    pending = b""
    firmware = bytearray()
    in_firmware = True
    after_firmware = False
    extra_dot = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            process.kill()
            process.wait()
            raise GuestError(f"{image}: the guest did not exit within "
                             f"{timeout:g} s (raise QEMU_TIMEOUT=)")
        ready, _, _ = select.select([process.stdout], [], [],
                                    min(remaining, 0.5))
        if not ready:
            continue
        chunk = process.stdout.read1(65536)
        if not chunk:
            break
        if in_firmware:
            firmware += chunk
            done = firmware.find(FIRMWARE_DONE)
            if done < 0 and len(firmware) < FIRMWARE_MAX:
                continue
            chunk = bytes(firmware[done + len(FIRMWARE_DONE):]) \
                if done >= 0 else bytes(firmware)
            in_firmware = False
            after_firmware = done >= 0
        if after_firmware:
            # Under load SeaBIOS sometimes ends its line with a third dot
            # and a line break: "Booting from ROM...\r\n".
            stripped = chunk.lstrip(b".")
            if len(stripped) < len(chunk):
                extra_dot = True
            if extra_dot and stripped[:1] in (b"\r", b"\n"):
                stripped = stripped.lstrip(b"\r")
                stripped = stripped[1:] if stripped[:1] == b"\n" else stripped
            chunk = stripped
            after_firmware = not chunk
        pending += chunk
        cut = pending.rfind(b"\n") + 1
        if cut:
            clean = _ESCAPE.sub(b"", pending[:cut]).replace(b"\r", b"")
            pending = pending[cut:]
            output += clean
            if stream is not None:
                stream.write(clean.decode(errors="replace"))
                stream.flush()
    if in_firmware:
        pending += bytes(firmware)
    clean = _ESCAPE.sub(b"", pending).replace(b"\r", b"")
    output += clean
    if stream is not None and clean:
        stream.write(clean.decode(errors="replace"))
        stream.flush()
    returncode = process.wait()
    errors = process.stderr.read().decode(errors="replace").strip()

    # Status 0 and a failing QEMU both end with 1: only a guest that was
    # booted (the firmware handed over to it) can have exited.
    booted = not in_firmware or FIRMWARE_DONE in firmware
    if returncode % 2 == 1 and booted and not (returncode == 1 and errors):
        return Boot(status=returncode >> 1, console=output.decode(
            errors="replace"))
    if errors:
        first = errors.splitlines()[0]
        if not first.startswith(qemu):
            first = f"{qemu}: {first}"
        raise GuestError(first)
    if not booted:
        raise GuestError(f"{qemu} exited with {returncode} before booting "
                         f"{image}; check QEMU=")
    raise GuestError(
        f"{image}: the guest stopped without an exit status (QEMU exit "
        f"{returncode}: a triple fault or reset?)")


def main(argv: List[str]) -> int:
    """``python -m ukcompart.qemu IMAGE [APPEND]``: boot and exit alike."""
    try:
        result = boot(Path(argv[0]), append=" ".join(argv[1:]),
                      stream=sys.stdout)
    except UkcError as error:
        print(f"ukcompart: error: {error}", file=sys.stderr)
        return error.exit_status
    return result.status
