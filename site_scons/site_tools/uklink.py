"""SCons tool: generated files, the two-pass image link and the ELF32 copy.

Builders:

``UkcGenerated(target, Value(text))``
    writes a generated file (linker script, descriptor or gate assembly)
    whose whole content is a Value node, so it is rewritten, and what
    depends on it rebuilt, exactly when that text changes.
``UkcLink(target, objects, LDSCRIPT=...)``
    links the 64-bit image with relocations kept (``--emit-relocs``) for
    the verifier, refusing any input section the script does not place.
``UkcSymtab(target, image)``
    writes ``symtab.S`` from a first-pass image.
``UkcMultiboot(target, image)``
    converts the 64-bit image to the 32-bit ELF QEMU's multiboot loader
    takes (``objcopy -O elf32-i386``).
"""

from pathlib import Path

from SCons.Action import Action
from SCons.Builder import Builder

from ukcompart import symtab
from ukcompart.errors import UkcError
from ukcompart.fsutil import write_atomic

LINKFLAGS = ["-m", "elf_x86_64", "-nostdlib", "-static", "--build-id=none",
             "-z", "max-page-size=4096", "-z", "noexecstack",
             "--emit-relocs", "--orphan-handling=error"]


def _short(env, verb: str, what: str) -> str:
    return "" if env["V"] else f"  {verb:<7} {what}"


def _write_value(target, source, env):
    write_atomic(Path(str(target[0])), source[0].read())
    return 0


def _write_symtab(target, source, env):
    try:
        text = symtab.source(symtab.image_symbols(Path(str(source[0]))))
    except UkcError as error:
        print(f"ukcompart: error: {error}")
        return 1
    write_atomic(Path(str(target[0])), text)
    return 0


def generate(env) -> None:
    env.SetDefault(UKC_LINKFLAGS=list(LINKFLAGS))
    env.Replace(
        GENCOMSTR=_short(env, "GEN", "$TARGET"),
        LINKCOMSTR=_short(env, "LD", "$TARGET"),
        OBJCOPYCOMSTR=_short(env, "OBJCOPY", "$TARGET"),
    )
    env["BUILDERS"]["UkcGenerated"] = Builder(
        action=Action(_write_value, cmdstr="$GENCOMSTR"))
    env["BUILDERS"]["UkcLink"] = Builder(
        action=Action(
            "$LD $UKC_LINKFLAGS -T $LDSCRIPT -o $TARGET $SOURCES",
            cmdstr="$LINKCOMSTR"))
    env["BUILDERS"]["UkcSymtab"] = Builder(
        action=Action(_write_symtab, cmdstr="$GENCOMSTR"))
    env["BUILDERS"]["UkcMultiboot"] = Builder(
        action=Action("$OBJCOPY -O elf32-i386 --strip-all "
                          "$SOURCE $TARGET", cmdstr="$OBJCOPYCOMSTR"))


def exists(env) -> bool:
    return bool(env.WhereIs(env.get("LD", "ld")))
