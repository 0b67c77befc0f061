"""SCons tool: compile Unikraft-format libraries and prelink each to one object.

Sets up gcc for freestanding x86_64 code (the flags of
docs/image-layout.md), the short progress lines (``CC lib: file``, full
commands with ``V=1``) and a ``Prelink`` builder that runs ``ld -r`` over a
library's objects, as Unikraft does, so that later steps see one object per
library.
"""

import shutil

from SCons.Action import Action
from SCons.Builder import Builder

from ukcompart.errors import ToolMissing

COMMON_CFLAGS = [
    "-m64", "-ffreestanding", "-fno-pie", "-fno-pic", "-fno-common",
    "-mno-red-zone", "-mno-sse", "-mno-mmx", "-mno-sse2", "-mno-avx",
    "-mgeneral-regs-only", "-fno-stack-protector",
    "-fno-asynchronous-unwind-tables", "-fno-builtin", "-nostdinc",
    "-O2", "-g", "-Wall", "-Wextra", "-std=gnu11",
]
COMMON_ASFLAGS = ["-m64", "-nostdinc", "-g", "-D__ASSEMBLY__",
                  "-Wa,--noexecstack"]
COMMON_DEFINES = ["__UKCOMPART_STANDALONE__"]


def _short(env, verb: str, what: str) -> str:
    return "" if env["V"] else f"  {verb:<7} {what}"


def _check_tools(env) -> None:
    """Fail with one line when a program the build runs is missing."""
    for variable in ("CC", "LD", "OBJCOPY"):
        program = env.subst(f"${variable}")
        if shutil.which(program) is None:
            raise ToolMissing(
                f"{program} not found ({variable}); install gcc and binutils "
                "(Debian: apt-get install gcc binutils) or set CROSS_COMPILE")


def generate(env) -> None:
    env.Tool("gcc")
    env.Tool("as")
    prefix = env.get("CROSS_COMPILE", "")
    env.Replace(
        CC=f"{prefix}gcc", AS=f"{prefix}gcc", LD=f"{prefix}ld",
        OBJCOPY=f"{prefix}objcopy",
        CCFLAGS=list(COMMON_CFLAGS), CFLAGS=[],
        ASPPFLAGS=["$ASFLAGS"], ASFLAGS=list(COMMON_ASFLAGS),
        CPPDEFINES=list(COMMON_DEFINES),
        OBJSUFFIX=".o",
        LIBNAME="",
    )
    env.Replace(
        CCCOMSTR=_short(env, "CC", "$LIBNAME: $SOURCE"),
        ASPPCOMSTR=_short(env, "AS", "$LIBNAME: $SOURCE"),
        ASCOMSTR=_short(env, "AS", "$LIBNAME: $SOURCE"),
        PRELINKCOMSTR=_short(env, "LD", "$TARGET"),
    )
    env["BUILDERS"]["Prelink"] = Builder(
        action=Action("$LD -r -m elf_x86_64 -o $TARGET $SOURCES",
                      cmdstr="$PRELINKCOMSTR"),
        suffix=".o")
    env.AddMethod(_check_tools, "UkcCheckTools")


def exists(env) -> bool:
    return bool(env.WhereIs(env.get("CC", "gcc")))
