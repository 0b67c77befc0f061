"""The SCons side of embedded mode: configuration targets and build graph.

Called from :func:`ukcompart.build.main` when ``UK_ROOT`` is set.  The
configuration targets act while the SConstruct is read, as standalone.
For a build, Unikraft's Make runs first, also while reading (it is
skipped when nothing it reads changed, see :class:`.make.Stamp`); the
graph SCons then builds starts at the prelinked objects Make left in the
build directory:

    <lib>.o --scan--> gates.S, gates.txt, <lib>.gated.o
    layout --> unikraft.lds, desc.S, layout.json         (Value nodes)
    objects --gcc (Unikraft's link line, pass 1)--> symtab.S
    --gcc (pass 2)--> <image>.dbg --strip, bootinfo, multiboot--> <image>
    <image>.dbg --verify--> ukcompart/verify.txt
"""

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Dict, List

import SCons.Script as S
from SCons.Action import Action

from .. import build as standalone
from .. import graph, kconfig, linkerscript, model, templates
from ..errors import ToolMissing
from ..library import Library
from . import configuration, environment, link, make


# The configuration targets after which Make's Kconfig tools are built.
_WRITES_CONFIG = ("defconfig", "olddefconfig", "menuconfig")


def _project(emb: environment.Embedding):
    """What the shared configuration actions need of a project."""
    defconfig = emb.app / "defconfig"
    return SimpleNamespace(dotconfig=emb.dotconfig, build=emb.build,
                           defconfig=defconfig if defconfig.is_file()
                           else None)


def _clean_tool(value: str) -> str:
    """``""gcc`` (Make's empty quoted CROSS_COMPILE) is ``gcc``."""
    words = shlex.split(value) if value else []
    return words[0] if words else value


def _libraries(known: List[Library], enabled: List[str]) -> List[Library]:
    by_name = {lib.name: lib for lib in known}
    result = []
    for name in enabled:
        lib = by_name.get(name)
        result.append(lib if lib is not None else
                      Library(name=name, path=Path("."), kind="lib"))
    return result


def main(env, tree: Path) -> None:
    targets = list(S.COMMAND_LINE_TARGETS)
    emb = environment.from_arguments(
        tree, Path(S.GetLaunchDir()), env["UK_ROOT"], env["UK_APP"],
        env["UK_LIBS"], env["O"])
    emb.build.mkdir(parents=True, exist_ok=True)
    S.SConsignFile(str(emb.build / ".sconsign"))
    # A file's content is hashed again only when its time changed (Make's
    # own test, and the Stamp's); a changed time with the same content
    # still rebuilds nothing.  Saves hashing every prelinked object and
    # the image on each no-op.
    env.Decider("content-timestamp")

    cleaning = S.GetOption("clean")
    for action in standalone.CONFIG_TARGETS:
        env.AlwaysBuild(env.Alias(action, [], []))
    if cleaning:
        env.Clean(env.Alias("build", [], []), [str(emb.build)])
        return

    wants_build = not targets or any(
        t not in standalone.CONFIG_TARGETS for t in targets)
    actions = [a for a in standalone.CONFIG_TARGETS if a in targets]
    jobs = S.GetOption("num_jobs") or 1
    known = configuration.discover(emb)
    resolved, kconf = _configure(env, emb, known, actions, wants_build,
                                 jobs)
    if not wants_build:
        return

    for program in ("make", "gcc", "objcopy", "strip"):
        if shutil.which(program) is None:
            raise ToolMissing(f"{program} not found; Unikraft's build needs "
                              "it (Debian: apt-get install make gcc "
                              "binutils flex bison)")

    def configure_make() -> None:
        """Make's Kconfig outputs, if a change to .config left them stale
        (written with the resolved configuration otherwise)."""
        if not configuration.make_outputs_stale(emb):
            return
        parsed = kconf
        if parsed is None:
            parsed, _ = configuration.parse(emb, _kconfig_environment(emb),
                                            known)
            kconfig.load(parsed, emb.dotconfig)
        _write_make_outputs(emb, parsed)

    info = make.ensure_built(emb, jobs, bool(env["V"]),
                             before=configure_make, meanwhile=_preload,
                             watched=[configuration.make_header(emb)])
    for name in ("ld", "strip", "objcopy"):
        info.link[name] = _clean_tool(info.link.get(name, ""))
    _declare(env, tree, emb, resolved.values, known, info, targets)


def _preload() -> None:
    """What the steps after Make will need, loaded while Make compiles:
    the verifier (capstone, pyelftools), jinja2 and the templates, so that
    the link's critical path does not wait for imports."""
    try:
        import capstone  # noqa: F401

        from .. import verify  # noqa: F401
        from ..verify import hardening  # noqa: F401

        for name in ("gates.S.j2", "desc.S.j2", "symtab.S.j2",
                     "unikraft.lds.j2"):
            templates.load(name)
    except Exception:   # noqa: BLE001 -- the real use reports any error
        pass


def _kconfig_environment(emb: environment.Embedding):
    version = environment.read_version(emb.uk_root)
    suffix = environment.git_suffix(emb.uk_root)
    return environment.derive(emb, version, suffix)


def _configure(env, emb: environment.Embedding, known: List[Library],
               actions: List[str], wants_build: bool, jobs: int):
    """Run the configuration targets ``actions``; then, for a build, the
    resolved configuration (:class:`.configuration.Resolved`) and the
    parsed tree (None when the result came from the cache).

    Without configuration targets, the result of the last parse is used
    when nothing it came from changed (:class:`.configuration.ConfigCache`);
    otherwise the tree's Kconfig is parsed, and the result kept.
    """
    kenv = _kconfig_environment(emb)
    if not actions:
        resolved = configuration.ConfigCache(emb, kenv, known).lookup()
        if resolved is not None:
            for text in resolved.warnings:
                print(f"ukcompart: warning: {text}", file=sys.stderr)
            standalone.report_unrecorded(emb.dotconfig, resolved.unrecorded)
            return resolved, None

    kconf, warnings = configuration.parse(emb, kenv, known)
    proj = _project(emb)
    for action in actions:
        standalone._config_action(action, kconf, proj, env["DEFCONFIG"])
    if any(action in _WRITES_CONFIG for action in actions):
        make.prepare_tools(emb, jobs, bool(env["V"]))
    loaded = wants_build
    if wants_build:
        standalone._load_or_default(kconf, proj)
    elif not emb.dotconfig.is_file():
        return None, None

    # The .config written may name the image differently (UK_NAME), which
    # the Kconfig environment carries: resolve it as the next build will.
    fresh = _kconfig_environment(emb)
    if fresh != kenv:
        kenv = fresh
        kconf, warnings = configuration.parse(emb, kenv, known)
        kconfig.load(kconf, emb.dotconfig)
        # Options derived from the name (UK_DEFNAME) as Make's Kconfig
        # run will write them, so it leaves .config alone.
        kconfig.save(kconf, emb.dotconfig)
    elif not loaded:
        kconfig.load(kconf, emb.dotconfig)
    resolved = configuration.Resolved(
        values=kconfig.layout_values(kconf),
        unrecorded=kconfig.unrecorded(kconf, emb.dotconfig),
        warnings=warnings)
    configuration.ConfigCache(emb, kenv, known).store(kconf, resolved)
    # What Make's Kconfig run would derive from this .config, written now
    # that it is resolved, as config.json is.
    _write_make_outputs(emb, kconf)
    return resolved, kconf


def _write_make_outputs(emb: environment.Embedding, kconf) -> None:
    if configuration.write_make_outputs(emb, kconf):
        print(f"  {'GEN':<7} {configuration.make_header(emb)}")


def _declare(env, tree: Path, emb, values: Dict[str, str],
             known: List[Library], info: make.MakeInfo,
             targets: List[str]) -> None:
    build = emb.build
    gen = build / "ukcompart"
    objects = link.link_objects(info, build)
    libs = [link.library_of(path) for path in objects]
    layout = model.from_config(values, _libraries(known, libs), libs)

    env.Tool("uklink", toolpath=[str(tree / "site_scons" / "site_tools")])
    env.Tool("ukqemu", toolpath=[str(tree / "site_scons" / "site_tools")])
    env.Tool("ukverify", toolpath=[str(tree / "site_scons" / "site_tools")])
    env.Replace(OBJCOPY=info.link["objcopy"], LINKCC=info.link["ld"] or "gcc")
    short = (lambda verb, what: "" if env["V"] else f"  {verb:<7} {what}")
    env["ASCOMSTR_UKC"] = short("AS", "ukcompart: $SOURCE")

    nodes = {lib: env.File(str(path)) for lib, path in zip(libs, objects)}
    extra: List = []
    if layout.enabled:
        scanned = env.Command(
            [str(gen / "gates.S"), str(gen / "gates.txt")] +
            [str(build / f"{lib}.gated.o") for lib in libs],
            [nodes[lib] for lib in libs] + [env.Value(layout.signature())],
            Action(graph.scan_action(layout, libs, core_data_open=True,
                                    harden=False),
                   cmdstr="$GENCOMSTR"))
        link_inputs = list(scanned[2:])
        object_names = {lib: f"{lib}.gated.o" for lib in libs}
        # Unikraft's context switch uses XRSTOR: the runtime takes PKRU
        # out of XCR0 (plat_unikraft.c), and the table says so.
        desc_s = env.UkcRendered(
            str(gen / "desc.S"),
            json.dumps([layout.signature(), linkerscript.DESC_XCR0_NO_PKRU]),
            lambda: linkerscript.descriptors(layout,
                                             linkerscript.DESC_XCR0_NO_PKRU),
            templates.template_path("desc.S.j2"))
        extra = _assemble(env, gen / "gates.o", scanned[0]) + \
            _assemble(env, gen / "desc.o", desc_s, _CORE_SLOT_RENAME)
    else:
        link_inputs = [nodes[lib] for lib in libs]
        object_names = {lib: f"{lib}.o" for lib in libs}

    plat = link.platform(info)
    default_lds = info.for_plat(plat, "default_lds")
    default = default_lds[0] if default_lds else ""
    lds = env.UkcRendered(
        str(gen / "unikraft.lds"),
        json.dumps([layout.signature(), object_names, default],
                   sort_keys=True),
        lambda: link.script(layout, object_names, default),
        templates.template_path("unikraft.lds.j2"))
    manifest = env.UkcGenerated(
        str(gen / "layout.json"),
        env.Value(layout.manifest(object_names, link.image_path(info).name
                                  + ".dbg")))
    scripts = [Path(p) for p in default_lds +
               info.for_plat(plat, "extra_lds")]

    image = link.image_path(info)
    image_dbg = Path(f"{image}.dbg")
    ukc_scripts = [Path(str(lds[0]))] if layout.enabled else []
    if layout.enabled:
        pass1 = _link(env, info, gen / "pass1.dbg", link_inputs + extra,
                      ukc_scripts, scripts + [Path(str(lds[0]))])
        symtab_s = env.UkcSymtab(str(gen / "symtab.S"), pass1)
        symtab_o = _assemble(env, gen / "symtab.o", symtab_s)
        dbg = _link(env, info, image_dbg, link_inputs + extra + symtab_o,
                    ukc_scripts, scripts + [Path(str(lds[0]))])
        env.AddPostAction(dbg, Action(graph.check_two_pass, None))
    else:
        dbg = _link(env, info, image_dbg, link_inputs, [], scripts)
    finished = env.Command(
        str(image), dbg,
        Action(_finish(info, emb.uk_root),
               "" if env["V"] else f"  {'UKBI':<7} $TARGET"))

    outputs = [finished, manifest]
    verify = None
    if layout.enabled:
        verify = env.UkcVerify([dbg[0], env.File(str(emb.dotconfig)),
                                manifest[0]])
        env.Depends(verify, link_inputs)
        outputs.append(verify)
    build_alias = env.Alias("build", outputs)
    env.Default(build_alias)
    env.AlwaysBuild(env.Alias("verify", verify if verify else finished))
    run = env.Alias("run", finished, Action(_run, "  QEMU    $SOURCE"))
    env.AlwaysBuild(run)
    if "run" in targets and shutil.which(env["QEMU"]) is None:
        raise ToolMissing(f"{env['QEMU']} not found (QEMU); install QEMU "
                          "(Debian: apt-get install qemu-system-x86) or "
                          "set QEMU=")


# The core's stack-pointer slot belongs in the core's data: Unikraft's
# script places every .data.* input section in its .data.
_CORE_SLOT_RENAME = ("$OBJCOPY --rename-section "
                     ".ukc.slot.comp0=.data.ukc_slot_comp0 $TARGET")


def _assemble(env, target: Path, source, *post: str) -> List:
    # One command line, so the short form is printed once.
    line = " && ".join(["$LINKCC -m64 -c -Wa,--noexecstack -o $TARGET "
                        "$SOURCE", *post])
    return env.Command(str(target), source, Action(line, "$ASCOMSTR_UKC"))


def _link(env, info: make.MakeInfo, target: Path, inputs: List,
          ukc_scripts: List[Path], depends: List[Path]):
    def action(target, source, env):
        line = link.command(info, [Path(str(s)) for s in source],
                            ukc_scripts, Path(str(target[0])))
        if env["V"]:
            print(" ".join(line))
        done = subprocess.run(line, capture_output=True, text=True)
        for out in (done.stdout, done.stderr):
            for message in out.splitlines():
                if "requires executable stack" in message:
                    continue
                print(message, file=sys.stderr)
        if done.returncode != 0:
            Path(str(target[0])).unlink(missing_ok=True)
            return 1
        return 0

    node = env.Command(str(target), inputs, Action(
        action, "" if env["V"] else f"  {'LD':<7} $TARGET",
        varlist=["LINKCC"]))
    env.Depends(node, [str(p) for p in depends])
    env.Depends(node, env.Value(" ".join(link.command(
        info, [], ukc_scripts, target))))
    return node


def _finish(info: make.MakeInfo, uk_root: Path):
    def action(target, source, env):
        steps = link.finish_commands(info, uk_root, Path(str(source[0])),
                                     Path(str(target[0])))
        for step in steps:
            if env["V"]:
                print(" ".join(step))
            done = subprocess.run(step, capture_output=True, text=True)
            if done.returncode != 0:
                sys.stderr.write(done.stdout + done.stderr)
                Path(str(target[0])).unlink(missing_ok=True)
                return 1
        return 0
    return action


def _run(target, source, env):
    """Boot the image; Unikraft's power-off (QEMU exit 0) is status 0.

    A Unikraft image without ukcompart's runtime halts through ACPI
    power-off, so QEMU exits 0 instead of passing on an exit status; the
    runtime's own exits (violations: 3) go through isa-debug-exit.
    """
    from .. import qemu

    image = Path(str(source[0]))
    try:
        result = qemu.boot(image, qemu=env["QEMU"], cpu=env["QEMU_CPU"],
                           append=env["APPEND"],
                           timeout=float(env["QEMU_TIMEOUT"]),
                           stream=sys.stdout)
        status = result.status
    except qemu.GuestError as error:
        if "QEMU exit 0" not in str(error):
            print(f"ukcompart: error: {error}", file=sys.stderr)
            raise SystemExit(error.exit_status)
        print("ukcompart: the guest powered off (QEMU exit 0)")
        status = 0
    sys.stdout.flush()
    if status:
        raise SystemExit(status)
    return 0
