"""Synthetic compartmentalized images, built without SCons or the platform.

The images go through the real generators (``ukcompart.model``,
``ukcompart.gates``, ``ukcompart.linkerscript``, ``ukcompart.symtab``) and
the same compile, prelink and two-pass link steps as the build graph, with
the flags of docs/image-layout.md, so the verifier sees what a build
produces; only the libraries are small stand-ins.  A test can change the
generated linker script or skip the gate redirection of one library to
build an image that is wrong in one precise way.

Nothing here boots: ``_start32`` is never run.
"""

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "site_scons"))
sys.path.insert(0, str(ROOT / "site_scons" / "site_tools"))

from ukcompart import gates, linkerscript, symtab  # noqa: E402
from ukcompart.model import Compartment, Layout  # noqa: E402
from uklink import LINKFLAGS  # noqa: E402
from ukcc import COMMON_ASFLAGS, COMMON_CFLAGS  # noqa: E402

APP = "synth"
IMAGE_NAME = f"{APP}_qemu-x86_64.dbg"


@dataclass
class Library:
    """A stand-in library: a name, its compartment and its source files."""

    name: str
    compartment: int
    sources: Dict[str, str]


@dataclass
class Compart:
    index: int
    name: str
    stack_size: int


@dataclass
class Synth:
    """What one synthetic build produced."""

    build: Path
    image: Path
    config: Path
    layout: Path
    script: Path
    objects: Dict[str, Path] = field(default_factory=dict)


PLAT_BOOT = r"""
	.section .multiboot, "a"
	.balign	4
	.long	0x1badb002, 0, -0x1badb002

	.section .text.boot, "ax"
	.globl	_start32
	.type	_start32, @function
_start32:
	call	core_main
	hlt
	.size	_start32, . - _start32

/* Exception entry stand-in: WRPKRU and XRSTOR are allowed here. */
	.section .ukc.gates.entry, "ax", @progbits
	.globl	synth_trap_entry
	.type	synth_trap_entry, @function
synth_trap_entry:
	xorl	%eax, %eax
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	wrpkru
	xrstor	(%rdi)
	call	synth_trap_handler
	iretq
	.size	synth_trap_entry, . - synth_trap_entry
"""

PLAT_CORE = r"""
int main(void);

static int core_calls;
unsigned char ukc_pku_on;
unsigned long core_gdt[512] __attribute__((section(".ukplat.sup")));
const char core_name[] = "core";
int core_ticks = 3;
static const char *core_last;

void core_puts(const char *s)
{
	core_last = s;
	core_calls++;
}

void synth_trap_handler(void)
{
	core_ticks++;
	core_gdt[core_calls & 511] = 1;
}

int core_main(void)
{
	core_puts(core_name);
	return main();
}
"""

VAULT_C = r"""
void core_puts(const char *s);

int vault_shared_counter __attribute__((section(".ukc.shared")));
static int vault_secret = 42;
static int vault_scratch[2048];
const char vault_banner[] = "vault";
int vault_key = 7;
int vault_moved __attribute__((section(".data.vault_moved"))) = 5;

int vault_get(int x)
{
	vault_scratch[x & 2047] = x;
	core_puts(vault_banner);
	return vault_secret + vault_key + vault_moved + vault_scratch[x / 2];
}
"""

# Two 8-byte immediates that tests overwrite to plant byte patterns in the
# middle of an instruction, and an LFENCE (0F AE E8: XRSTOR's opcode with
# a register operand), which must not count as XRSTOR.
VAULT_S = r"""
	.text
	.globl	vault_mix
	.type	vault_mix, @function
vault_mix:
	movabs	$0x1122334455667788, %rax
	movabs	$0x99aabbccddeeff00, %rdx
	lfence
	ret
	.size	vault_mix, . - vault_mix
"""

APP_C = r"""
extern int vault_shared_counter;
int vault_get(int x);
void core_puts(const char *s);

static int app_calls;
int app_total = 1;
static const char app_greeting[] = "app";

int main(void)
{
	app_calls++;
	vault_shared_counter++;
	core_puts(app_greeting);
	return vault_get(app_calls) + app_total;
}
"""


def two_compartments() -> List[Library]:
    """The core platform stand-in, a vault (1) and an app (2)."""
    return [
        Library("libsynthplat", 0, {"boot.S": PLAT_BOOT,
                                    "core.c": PLAT_CORE}),
        Library("libvault", 1, {"vault.c": VAULT_C, "mix.S": VAULT_S}),
        Library("libapp", 2, {"app.c": APP_C}),
    ]


COMPARTMENTS = [Compart(1, "vault", 0x4000), Compart(2, "app", 0x8000)]


def config_text(compartments: Sequence[Compart], libraries: List[Library],
                mechanism: str = "mpk", enabled: bool = True,
                embedded: bool = False) -> str:
    """A ``.config`` as kconfiglib writes it, for this layout.

    ``embedded`` adds ``CONFIG_UK_BASE``, which only a Unikraft tree's
    ``.config`` has.
    """
    tree = ['CONFIG_UK_BASE="/unikraft"'] if embedded else []
    if not enabled:
        return "\n".join(tree + ["# CONFIG_UKCOMPART is not set"]) + "\n"
    lines = tree + ["CONFIG_UKCOMPART=y"]
    for choice in ("mpk", "fcall"):
        option = f"CONFIG_UKCOMPART_{choice.upper()}"
        lines.append(f"{option}=y" if choice == mechanism
                     else f"# {option} is not set")
    lines.append(f"CONFIG_UKCOMPART_NUM={len(compartments)}")
    for comp in compartments:
        lines.append(f'CONFIG_UKCOMPART_COMP{comp.index}_NAME="{comp.name}"')
        lines.append(f"CONFIG_UKCOMPART_COMP{comp.index}_STACK_SIZE="
                     f"{comp.stack_size:#x}")
    for lib in libraries:
        if lib.compartment or lib.name != "libsynthplat":
            lines.append(f"CONFIG_UKCOMPART_LIB_{lib.name.upper()}="
                         f"{lib.compartment}")
    return "\n".join(lines) + "\n"


def _run(command: List[str], cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}:\n{done.stderr}")


def _compile(source: Path, target: Path) -> None:
    if source.suffix == ".S":
        flags = COMMON_ASFLAGS
    else:
        flags = COMMON_CFLAGS
    _run(["gcc", *flags, "-c", str(source), "-o", str(target)],
         source.parent)


def prelink(build: Path, lib: Library) -> Path:
    """Compile ``lib``'s sources and prelink them to ``<build>/<lib>.o``."""
    src_dir = build / lib.name
    src_dir.mkdir(parents=True, exist_ok=True)
    objects = []
    for name, text in lib.sources.items():
        source = src_dir / name
        source.write_text(text)
        obj = source.with_suffix(".o")
        _compile(source, obj)
        objects.append(str(obj))
    target = build / f"{lib.name}.o"
    _run(["ld", "-r", "-m", "elf_x86_64", "-o", str(target), *objects],
         build)
    return target


def layout_of(compartments: Sequence[Compart], libraries: List[Library],
              mechanism: str = "mpk", enabled: bool = True) -> Layout:
    core = Compartment(0, "core", 0,
                       [lib.name for lib in libraries
                        if lib.compartment == 0 or not enabled])
    if not enabled:
        return Layout(enabled=False, mechanism=None, compartments=[core])
    comps = [core] + [
        Compartment(c.index, c.name, c.stack_size,
                    [lib.name for lib in libraries
                     if lib.compartment == c.index])
        for c in compartments]
    return Layout(enabled=True, mechanism=mechanism, compartments=comps)


def build(build: Path, libraries: Optional[List[Library]] = None,
          compartments: Sequence[Compart] = COMPARTMENTS,
          mechanism: str = "mpk", enabled: bool = True,
          script_edit: Optional[Callable[[str], str]] = None,
          ungated: Sequence[str] = (),
          prelinked: Optional[Dict[str, Path]] = None,
          link_flags: Sequence[str] = (), desc_flags: int = 0,
          embedded: bool = False) -> Synth:
    """Build a synthetic image in ``build``, as the build graph would.

    ``script_edit`` rewrites the generated linker script; libraries named
    in ``ungated`` are linked without their references renamed to gates;
    ``prelinked`` reuses objects from an earlier build (by library name);
    ``desc_flags`` is the descriptor table's flags word, and ``embedded``
    writes the ``.config`` of a Unikraft tree (see :func:`config_text`).
    """
    libraries = libraries if libraries is not None else two_compartments()
    build.mkdir(parents=True, exist_ok=True)
    gen = build / "ukcompart"
    gen.mkdir(exist_ok=True)
    layout = layout_of(compartments, libraries, mechanism, enabled)

    objects: Dict[str, Path] = {}
    for lib in libraries:
        if prelinked and lib.name in prelinked:
            objects[lib.name] = build / f"{lib.name}.o"
            if prelinked[lib.name] != objects[lib.name]:
                shutil.copyfile(prelinked[lib.name], objects[lib.name])
        else:
            objects[lib.name] = prelink(build, lib)

    extra: List[Path] = []
    if enabled:
        scan = gates.scan(objects, layout)
        gates_s = gen / "gates.S"
        gates_s.write_text(gates.gates_source(scan, layout))
        desc_s = gen / "desc.S"
        desc_s.write_text(linkerscript.descriptors(layout, desc_flags))
        for source in (gates_s, desc_s):
            _compile(source, source.with_suffix(".o"))
            extra.append(source.with_suffix(".o"))
        object_names = {lib: f"{lib}.gated.o" for lib in objects}
        linked = {}
        for lib, path in objects.items():
            target = build / object_names[lib]
            renames = [] if lib in ungated else scan.renames[lib]
            gates.redirect(path, target, renames, "objcopy")
            linked[lib] = target
    else:
        object_names = {lib: f"{lib}.o" for lib in objects}
        linked = dict(objects)

    script = linkerscript.script(layout, object_names)
    if script_edit is not None:
        edited = script_edit(script)
        if edited == script:
            raise AssertionError("script_edit changed nothing")
        script = edited
    lds = gen / "image.lds"
    lds.write_text(script)
    (gen / "layout.json").write_text(
        layout.manifest(object_names, IMAGE_NAME))
    config = build / ".config"
    config.write_text(config_text(compartments, libraries, mechanism,
                                  enabled, embedded))

    inputs = [str(p) for p in linked.values()] + [str(p) for p in extra]
    link = ["ld", *LINKFLAGS, *link_flags, "-T", str(lds)]
    pass1 = gen / "pass1.dbg"
    _run(link + ["-o", str(pass1), *inputs], build)
    symtab_s = gen / "symtab.S"
    symtab_s.write_text(symtab.source(symtab.image_symbols(pass1)))
    _compile(symtab_s, symtab_s.with_suffix(".o"))
    image = build / IMAGE_NAME
    _run(link + ["-o", str(image), *inputs,
                 str(symtab_s.with_suffix(".o"))], build)
    return Synth(build=build, image=image, config=config,
                 layout=gen / "layout.json", script=lds, objects=linked)
