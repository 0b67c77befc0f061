"""Data across compartments: an error at build time unless marked shared."""

from pathlib import Path

from conftest import boot, scons

CONFIG = """\
CONFIG_UKCOMPART=y
CONFIG_UKCOMPART_MPK=y
CONFIG_UKCOMPART_NUM=2
CONFIG_UKCOMPART_COMP1_NAME="app"
CONFIG_UKCOMPART_COMP2_NAME="holder"
CONFIG_UKCOMPART_LIB_APPDATAREF=1
CONFIG_UKCOMPART_LIB_LIBHOLDER=2
"""


def make_app(root: Path, main_body: str) -> Path:
    app = root / "dataref"
    holder = app / "holder"
    holder.mkdir(parents=True)
    (app / "Config.uk").write_text(
        "config APPDATAREF\n\tbool\n\tdefault y\n\thelp\n\t  Test app.\n")
    (app / "Makefile.uk").write_text(
        "$(eval $(call addlib,appdataref))\n"
        "APPDATAREF_SRCS-y += $(APPDATAREF_BASE)/main.c\n")
    (app / "main.c").write_text(
        "#include <stdio.h>\n"
        "extern int holder_private;\n"
        "extern int holder_shared;\n"
        "int main(void)\n{\n" + main_body + "}\n")
    (holder / "Config.uk").write_text(
        "config LIBHOLDER\n\tbool \"holder\"\n\tdefault y\n\thelp\n"
        "\t  Test library.\n")
    (holder / "Makefile.uk").write_text(
        "$(eval $(call addlib_s,libholder,$(CONFIG_LIBHOLDER)))\n"
        "LIBHOLDER_SRCS-y += $(LIBHOLDER_BASE)/holder.c\n")
    (holder / "holder.c").write_text(
        "#include <uk/compart/gate.h>\n"
        "int holder_private = 5;\n"
        "UKCOMPART_SHARED int holder_shared = 7;\n")
    return app


def build(app: Path, out: Path):
    out.mkdir()
    (out / ".config").write_text(CONFIG)
    scons(f"UK_APP={app}", f"O={out}", "olddefconfig", check=True)
    return scons(f"UK_APP={app}", f"O={out}", "build")


def test_private_data_reference_is_a_build_error(tmp_path):
    app = make_app(tmp_path, "\treturn holder_private + holder_shared;\n")
    done = build(app, tmp_path / "build")
    assert done.returncode != 0
    assert [line for line in done.stderr.splitlines()
            if line.startswith("ukcompart")] == [
        "ukcompart: appdataref (compartment app) references holder_private "
        "of libholder (compartment holder): mark it shared "
        "(UKCOMPART_SHARED) or put both in one compartment"]
    assert not (tmp_path / "build" / "dataref_qemu-x86_64").exists()


def test_shared_data_is_allowed_and_readable(tmp_path):
    app = make_app(tmp_path, "\tprintf(\"shared=%d\\n\", holder_shared);\n"
                             "\treturn 0;\n")
    done = build(app, tmp_path / "build")
    assert done.returncode == 0, done.stderr
    image = tmp_path / "build" / "dataref_qemu-x86_64"
    assert boot(image) == (0, ["shared=7"])
