"""The generated Kconfig tree: menus for every library, help on every option."""

import os

import kconfiglib

from conftest import TREE
from ukcompart import kconfig, library

TWO_COMPS = TREE / "examples" / "two-comps"


def parsed(tmp_path, app=TWO_COMPS):
    libraries = library.discover(TREE, app)
    files = kconfig.generate_standalone(TREE, tmp_path, app.name, libraries)
    return kconfig.parse(files), libraries


def test_every_library_but_platform_and_runtime_gets_a_placement(tmp_path):
    kconf, libraries = parsed(tmp_path)
    placed = sorted(name for name in kconf.syms
                    if name.startswith("UKCOMPART_LIB_"))
    assert placed == ["UKCOMPART_LIB_APPTWOCOMPS", "UKCOMPART_LIB_LIBUKCONSOLE",
                      "UKCOMPART_LIB_LIBVAULT"]


def test_a_new_library_appears_without_editing_anything(tmp_path):
    app = tmp_path / "app"
    (app / "extra").mkdir(parents=True)
    (app / "Config.uk").write_text("config APPX\n\tbool\n\tdefault y\n")
    (app / "Makefile.uk").write_text("$(eval $(call addlib,appx))\n")
    (app / "extra" / "Config.uk").write_text(
        "config LIBEXTRA\n\tbool \"extra\"\n\tdefault y\n")
    (app / "extra" / "Makefile.uk").write_text(
        "$(eval $(call addlib_s,libextra,$(CONFIG_LIBEXTRA)))\n")
    kconf, _ = parsed(tmp_path / "build", app)
    assert "UKCOMPART_LIB_LIBEXTRA" in kconf.syms


def test_every_option_with_a_prompt_has_help(tmp_path):
    kconf, _ = parsed(tmp_path)
    ours = (str(TREE / "Config.uk"), str(TREE / "lib"), str(TREE / "plat"),
            str(tmp_path), str(TWO_COMPS))
    missing, checked = [], 0
    for node in kconf.node_iter():
        item = node.item
        if not isinstance(item, (kconfiglib.Symbol, kconfiglib.Choice)):
            continue
        filename = os.path.abspath(node.filename)
        if not node.prompt or not filename.startswith(ours):
            continue
        checked += 1
        if not any(n.help for n in item.nodes):
            missing.append(f"{node.filename}:{node.linenr}")
    assert missing == []
    # 14 compartments with name and stack each, 3 placements, the rest.
    assert checked >= 14 * 2 + 3 + 5


def test_mpk_leaves_fourteen_compartments(tmp_path):
    kconf, _ = parsed(tmp_path)
    assert [n for n in range(1, 20)
            if f"UKCOMPART_COMP{n}_NAME" in kconf.syms] == list(range(1, 15))
