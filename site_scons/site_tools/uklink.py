"""SCons tool: generated files, the two-pass image link and the ELF32 copy.

Builders:

``UkcGenerated(target, Value(text))``
    writes a generated file (linker script, descriptor or gate assembly)
    whose whole content is a Value node, so it is rewritten, and what
    depends on it rebuilt, exactly when that text changes.
``UkcRendered(target, key, text, template)`` (a method)
    the same for a file rendered from a jinja2 template, where ``key`` is
    a string of every input of ``text()`` and the Value node: the text is
    rendered only when the file is rebuilt (a no-op build renders
    nothing), and a change to the template rebuilds it too.
``UkcLink(target, objects, LDSCRIPT=...)``
    links the 64-bit image with relocations kept (``--emit-relocs``) for
    the verifier, refusing any input section the script does not place.
``UkcSymtab(target, image)``
    writes ``symtab.S`` from a first-pass image.
``UkcMultiboot(target, image)``
    converts the 64-bit image to the 32-bit ELF QEMU's multiboot loader
    takes (``objcopy -O elf32-i386``).
"""

import re
import subprocess
import sys
from pathlib import Path

from SCons.Action import Action
from SCons.Builder import Builder

from ukcompart import symtab
from ukcompart.errors import UkcError
from ukcompart.fsutil import write_atomic

LINKFLAGS = ["-m", "elf_x86_64", "-nostdlib", "-static", "--build-id=none",
             "-z", "max-page-size=4096", "-z", "noexecstack",
             "--emit-relocs", "--orphan-handling=warn"]

# ld reports the relocation sections of its inputs as orphans when
# --emit-relocs and --orphan-handling are combined, although it emits them
# correctly; every other orphan is an input section the script missed.
_ORPHAN = re.compile(r"orphan section `([^']+)' from `([^']+)'")


def _short(env, verb: str, what: str) -> str:
    return "" if env["V"] else f"  {verb:<7} {what}"


def _write_value(target, source, env):
    write_atomic(Path(str(target[0])), source[0].read())
    return 0


def _rendered(env, target, key: str, text, template: Path):
    def write(target, source, env):
        write_atomic(Path(str(target[0])), text())
        return 0

    node = env.Command(target, env.Value(key),
                       Action(write, cmdstr="$GENCOMSTR"))
    env.Depends(node, str(template))
    return node


def _write_symtab(target, source, env):
    try:
        text = symtab.source(symtab.image_symbols(Path(str(source[0]))))
    except UkcError as error:
        print(f"ukcompart: error: {error}", file=sys.stderr)
        return 1
    write_atomic(Path(str(target[0])), text)
    return 0


def _link(target, source, env):
    """Run ld; an unplaced input section is an error, not a warning."""
    command = [env.subst("$LD")] + env.subst("$UKC_LINKFLAGS").split() + \
        ["-T", env.subst("$LDSCRIPT"), "-o", str(target[0])] + \
        [str(node) for node in source]
    done = subprocess.run(command, capture_output=True, text=True)
    orphans = []
    for line in done.stderr.splitlines():
        match = _ORPHAN.search(line)
        if match is None:
            print(line, file=sys.stderr)
        elif not match.group(1).startswith(".rela"):
            orphans.append(match.groups())
    for section, origin in orphans:
        print(f"ukcompart: error: {origin}: section {section} is not placed "
              "by the linker script, so it would escape the compartment "
              "layout; rename it or extend templates/image.lds.j2",
              file=sys.stderr)
    if orphans or done.returncode != 0:
        Path(str(target[0])).unlink(missing_ok=True)
        return 1
    return 0


def _link_command(target, source, env):
    if env["V"]:
        return env.subst("$LD $UKC_LINKFLAGS -T $LDSCRIPT -o $TARGET "
                         "$SOURCES", target=target, source=source)
    return env.subst("$LINKCOMSTR", raw=1, target=target, source=source)


def generate(env) -> None:
    env.SetDefault(UKC_LINKFLAGS=list(LINKFLAGS))
    env.Replace(
        # Writing a generated file runs no command: even with V=1 the
        # short line is all there is to show.
        GENCOMSTR="  GEN     $TARGET",
        LINKCOMSTR=_short(env, "LD", "$TARGET"),
        OBJCOPYCOMSTR=_short(env, "OBJCOPY", "$TARGET"),
    )
    env["BUILDERS"]["UkcGenerated"] = Builder(
        action=Action(_write_value, cmdstr="$GENCOMSTR"))
    env.AddMethod(_rendered, "UkcRendered")
    env["BUILDERS"]["UkcLink"] = Builder(
        action=Action(_link, _link_command,
                      varlist=["LD", "UKC_LINKFLAGS", "LDSCRIPT"]))
    env["BUILDERS"]["UkcSymtab"] = Builder(
        action=Action(_write_symtab, cmdstr="$GENCOMSTR"))
    env["BUILDERS"]["UkcMultiboot"] = Builder(
        action=Action("$OBJCOPY -O elf32-i386 --strip-all "
                      "$SOURCE $TARGET", cmdstr="$OBJCOPYCOMSTR"))


def exists(env) -> bool:
    return bool(env.WhereIs(env.get("LD", "ld")))
