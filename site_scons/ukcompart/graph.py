"""The build graph of one configuration, declared to SCons.

    .config --> config.h, auto.conf                  (Value nodes)
    sources --gcc--> objects --ld -r--> <lib>.o      (one per library)
    <lib>.o + layout --scan--> gates.S, gates.txt, <lib>.gated.o
    layout --> image.lds, desc.S, hardening.S        (Value nodes)
    objects --ld (pass 1)--> symtab.S --ld (pass 2)--> <app>_qemu-x86_64.dbg
    .dbg --objcopy--> <app>_qemu-x86_64 (ELF32 for multiboot)

Layout-only options (library placement, compartment names and stacks)
reach the graph only through Value nodes of the layout, so moving a library
reruns the scan, the script and the link, and compiles nothing.  A
compartment's hardening options are compiler flags of its libraries alone
(hardening.py), so changing them recompiles just those libraries, and
moving a library between differently hardened compartments recompiles it.
"""

import sys
from pathlib import Path
from typing import Dict, List

from SCons.Action import Action

from . import gates, hardening, kconfig, linkerscript, symtab
from .errors import UkcError
from .fsutil import write_atomic
from .makefile_uk import LibrarySpec
from .model import Layout
from .project import Project


def _includes(flags: List[str], base: Path):
    """Split ``-I`` options (for SCons's scanner) from other flags."""
    paths, other = [], []
    for flag in flags:
        if flag.startswith("-I") and len(flag) > 2:
            path = Path(flag[2:])
            paths.append(str(path if path.is_absolute() else base / path))
        else:
            other.append(flag)
    return paths, other


def _compile_library(env, spec: LibrarySpec, proj: Project,
                     global_paths: List[str], global_flags: List[str],
                     config_h, hardening_flags: List[str]):
    lib_paths, lib_flags = _includes(spec.cincludes, spec.base)
    lib_env = env.Clone(LIBNAME=spec.name)
    lib_env.Append(CPPPATH=lib_paths + global_paths,
                   CCFLAGS=global_flags + lib_flags + spec.cflags +
                   hardening_flags,
                   ASFLAGS=global_flags + lib_flags + spec.asflags)
    objects = []
    for source in spec.srcs:
        try:
            relative = source.resolve().relative_to(spec.base.resolve())
        except ValueError:
            relative = Path(source.name)
        target = proj.build / spec.name / f"{relative}.o"
        obj = lib_env.Object(str(target), str(source))
        env.Depends(obj, config_h)
        objects += obj
    return lib_env.Prelink(str(proj.build / f"{spec.name}.o"), objects)


def scan_action(layout: Layout, libs: List[str], core_data_open=False,
                harden=True):
    """The Python action of the gate scan, for one layout.

    Targets: ``gates.S``, ``gates.txt``, then each library's redirected
    object; sources: the prelinked objects in the order of ``libs``.
    Embedded mode passes ``core_data_open`` (see :func:`gates.scan`) and
    no hardening renames (Unikraft's Make compiles without our flags).
    """

    def scan(target, source, env):
        objects = {lib: Path(str(node)) for lib, node in zip(libs, source)}
        try:
            result = gates.scan(objects, layout,
                                core_data_open=core_data_open)
        except UkcError as error:
            for line in str(error).splitlines():
                print(line if line.startswith("ukcompart:")
                      else f"ukcompart: error: {line}", file=sys.stderr)
            return 1
        gates_s, gates_txt = (Path(str(node)) for node in target[:2])
        write_atomic(gates_s, gates.gates_source(result, layout))
        write_atomic(gates_txt, "".join(line + "\n"
                                        for line in result.listing))
        objcopy = env.subst("$OBJCOPY")
        for lib, node in zip(libs, target[2:]):
            renames = list(result.renames[lib])
            if harden:
                renames += hardening.renames(layout.compartment_of(lib))
            gates.redirect(objects[lib], Path(str(node)), renames, objcopy)
        return 0

    return scan


def declare(env, proj: Project, kconf, specs: List[LibrarySpec],
            layout: Layout) -> None:
    build = proj.build
    include_dir = build / "include"
    config_h = env.UkcGenerated(str(include_dir / "uk" / "config.h"),
                                env.Value(kconfig.header_text(kconf)))
    autoconf = env.UkcGenerated(str(build / "config" / "auto.conf"),
                                env.Value(kconfig.autoconf_text(kconf)))
    env.Append(CPPPATH=[str(include_dir)],
               CCFLAGS=["-include", "uk/config.h"],
               ASFLAGS=["-include", "uk/config.h"])

    global_flags: List[str] = []
    # The compartment API (UKCOMPART_SHARED, UKCOMPART_CALL) compiles with
    # compartments off too, so its headers are always on the path.
    global_paths: List[str] = [str(proj.tree / "lib" / "ukcompart" /
                                   "include")]
    for spec in specs:
        paths, flags = _includes(spec.global_cincludes, spec.base)
        global_paths += paths
        global_flags += flags

    prelinked: Dict[str, object] = {}
    for spec in specs:
        prelinked[spec.name] = _compile_library(
            env, spec, proj, global_paths, global_flags, config_h,
            layout.compartment_of(spec.name).hardening.cflags())

    libs = [spec.name for spec in specs]
    gen_dir = build / "ukcompart"
    extra_objects = []
    if layout.enabled:
        targets = [str(gen_dir / "gates.S"), str(gen_dir / "gates.txt")] + \
            [str(build / f"{lib}.gated.o") for lib in libs]
        scanned = env.Command(
            targets, [prelinked[lib] for lib in libs] +
            [env.Value(layout.signature())],
            Action(scan_action(layout, libs), cmdstr="$GENCOMSTR"))
        link_objects = scanned[2:]
        gates_obj = env.Clone(LIBNAME="ukcompart").Object(
            str(gen_dir / "gates.o"), scanned[0])
        desc_s = env.UkcGenerated(
            str(gen_dir / "desc.S"),
            env.Value(linkerscript.descriptors(layout)))
        desc_obj = env.Clone(LIBNAME="ukcompart").Object(
            str(gen_dir / "desc.o"), desc_s)
        hardening_s = env.UkcGenerated(
            str(gen_dir / "hardening.S"),
            env.Value(hardening.source(layout)))
        hardening_obj = env.Clone(LIBNAME="ukcompart").Object(
            str(gen_dir / "hardening.o"), hardening_s)
        extra_objects = gates_obj + desc_obj + hardening_obj
        object_names = {lib: f"{lib}.gated.o" for lib in libs}
    else:
        link_objects = [prelinked[lib] for lib in libs]
        object_names = {lib: f"{lib}.o" for lib in libs}

    manifest = env.UkcGenerated(
        str(gen_dir / "layout.json"),
        env.Value(layout.manifest(object_names, proj.image_dbg.name)))

    lds = env.UkcGenerated(
        str(gen_dir / "image.lds"),
        env.Value(linkerscript.script(layout, object_names)))

    inputs = list(link_objects) + list(extra_objects)
    pass1 = env.UkcLink(str(gen_dir / "pass1.dbg"), inputs,
                        LDSCRIPT=str(lds[0]))
    env.Depends(pass1, lds)
    symtab_s = env.UkcSymtab(str(gen_dir / "symtab.S"), pass1)
    symtab_obj = env.Clone(LIBNAME="ukcompart").Object(
        str(gen_dir / "symtab.o"), symtab_s)
    image_dbg = env.UkcLink(str(proj.image_dbg), inputs + list(symtab_obj),
                            LDSCRIPT=str(lds[0]))
    env.Depends(image_dbg, lds)
    env.AddPostAction(image_dbg, Action(check_two_pass, None))
    image = env.UkcMultiboot(str(proj.image), image_dbg)

    # auto.conf is the resolved configuration: .config may leave new
    # options to their defaults, which only kconfiglib knows.
    verified = env.UkcVerify([image_dbg, autoconf, manifest])
    env.Depends(verified, link_objects)

    build_alias = env.Alias("build", [image, autoconf, manifest, verified])
    env.Default(build_alias)
    run = env.Alias("run", image, env.UkcRunAction())
    env.AlwaysBuild(run)
    if env["IMAGE"]:
        verify = env.Alias("verify", [],
                           Action(_verify_other(proj), None))
    else:
        verify = env.Alias("verify", verified, Action(_show_report, None))
    env.AlwaysBuild(verify)
    # Everything in the build directory goes, except the configuration
    # (with O=, .config lives there) and SCons's own signature database.
    if build.is_dir():
        env.Clean(build_alias, [str(entry) for entry in build.iterdir()
                                if not entry.name.startswith((".config",
                                                              ".sconsign"))])


def _show_report(target, source, env):
    """``scons verify``: the report of this build's image, checked or not."""
    sys.stdout.write(Path(str(source[0])).read_text())
    return 0


def _verify_other(proj: Project):
    """``scons verify IMAGE=...``: check an image this build did not link."""

    def verify_image(target, source, env):
        from .verify import verify

        image = Path(env["IMAGE"]).resolve()
        try:
            report = verify(image, proj.build / "config" / "auto.conf",
                            None)
        except UkcError as error:
            print(f"ukcompart: error: {error}", file=sys.stderr)
            return error.exit_status
        sys.stdout.write(report.table())
        return 0 if report.ok else 1

    return verify_image


def check_two_pass(target, source, env):
    """Post-action of the second link: nothing but the symbol table moved."""
    image = Path(str(target[0]))
    first = image.parent / "ukcompart" / "pass1.dbg"
    try:
        same = symtab.same_layout(first, image)
    except UkcError as error:
        print(f"ukcompart: error: {error}", file=sys.stderr)
        return 1
    if not same:
        print(f"ukcompart: error: {image}: adding the symbol table moved "
              "sections; the linker script must keep .ukc.symtab last",
              file=sys.stderr)
        return 1
    return 0
