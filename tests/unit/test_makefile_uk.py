"""The Makefile.uk subset reader: what it accepts and what it refuses."""

from pathlib import Path

import pytest

from ukcompart.errors import MakefileUkError
from ukcompart.makefile_uk import read_makefile_uk


def library(tmp_path: Path, text: str, files=("a.c", "b.S", "c.c")) -> Path:
    for name in files:
        (tmp_path / name).write_text("")
    makefile = tmp_path / "Makefile.uk"
    makefile.write_text(text)
    return makefile


def test_sources_flags_and_includes_are_collected(tmp_path):
    makefile = library(tmp_path, """\
$(eval $(call addlib_s,libdemo,$(CONFIG_LIBDEMO)))
CINCLUDES-y += -I$(LIBDEMO_BASE)/include
LIBDEMO_CINCLUDES-y += -I$(LIBDEMO_BASE)/private
LIBDEMO_SRCS-y += $(LIBDEMO_BASE)/a.c \\
	$(LIBDEMO_BASE)/b.S
LIBDEMO_CFLAGS-y += -DDEMO=1
LIBDEMO_ASFLAGS-y += -DDEMO_ASM
""")
    spec = read_makefile_uk(makefile, {"CONFIG_LIBDEMO": "y"})
    assert spec.name == "libdemo"
    assert spec.enabled is True
    assert spec.srcs == [tmp_path / "a.c", tmp_path / "b.S"]
    assert spec.global_cincludes == [f"-I{tmp_path}/include"]
    assert spec.cincludes == [f"-I{tmp_path}/private"]
    assert spec.cflags == ["-DDEMO=1"]
    assert spec.asflags == ["-DDEMO_ASM"]


def test_disabled_library_is_reported_disabled(tmp_path):
    makefile = library(tmp_path, "$(eval $(call addlib_s,libdemo,"
                                 "$(CONFIG_LIBDEMO)))\n")
    assert read_makefile_uk(makefile, {}).enabled is False


def test_addlib_is_unconditional(tmp_path):
    makefile = library(tmp_path, "$(eval $(call addlib,appdemo))\n"
                                 "APPDEMO_SRCS-y += $(APPDEMO_BASE)/a.c\n")
    spec = read_makefile_uk(makefile, {})
    assert (spec.enabled, spec.srcs) == (True, [tmp_path / "a.c"])


def test_config_switched_sources_follow_the_config(tmp_path):
    makefile = library(tmp_path, """\
$(eval $(call addlib,appdemo))
APPDEMO_SRCS-$(CONFIG_A) += $(APPDEMO_BASE)/a.c
APPDEMO_SRCS-$(CONFIG_C) += $(APPDEMO_BASE)/c.c
""")
    spec = read_makefile_uk(makefile, {"CONFIG_A": "y"})
    assert spec.srcs == [tmp_path / "a.c"]


def test_ifeq_ifneq_else_nest(tmp_path):
    makefile = library(tmp_path, """\
$(eval $(call addlib,appdemo))
ifeq ($(CONFIG_A),y)
ifneq ($(CONFIG_B),y)
APPDEMO_SRCS-y += $(APPDEMO_BASE)/a.c
else
APPDEMO_SRCS-y += $(APPDEMO_BASE)/b.S
endif
else
APPDEMO_SRCS-y += $(APPDEMO_BASE)/c.c
endif
""")
    assert read_makefile_uk(makefile, {"CONFIG_A": "y"}).srcs == \
        [tmp_path / "a.c"]
    assert read_makefile_uk(makefile, {"CONFIG_A": "y", "CONFIG_B": "y"}) \
        .srcs == [tmp_path / "b.S"]
    assert read_makefile_uk(makefile, {}).srcs == [tmp_path / "c.c"]


def test_comments_and_blank_lines_are_ignored(tmp_path):
    makefile = library(tmp_path, "# a comment\n\n"
                                 "$(eval $(call addlib,appdemo)) # trailing\n")
    assert read_makefile_uk(makefile, {}).name == "appdemo"


@pytest.mark.parametrize("line, message", [
    ("APPDEMO_SRCS-y := $(APPDEMO_BASE)/a.c",
     "unsupported construct 'APPDEMO_SRCS-y := $(APPDEMO_BASE)/a.c' "
     "(standalone Makefile.uk files allow addlib/addlib_s, VAR-y +=, "
     "ifeq/ifneq/else/endif)"),
    ("APPDEMO_SRCS-y += $(APPDEMO_BASE)/a.c|isr",
     "source variants ('" "{base}/a.c|isr') are not supported standalone"),
    ("APPDEMO_SRCS-y += $(shell ls)",
     "unsupported expansion '$(shell ls)': only $(CONFIG_...) and "
     "$(APPDEMO_BASE) are allowed standalone"),
    ("APPDEMO_LDFLAGS-y += -lfoo",
     "unsupported variable 'APPDEMO_LDFLAGS-y': expected one of "
     "APPDEMO_SRCS, APPDEMO_CINCLUDES, APPDEMO_CFLAGS, APPDEMO_ASFLAGS, "
     "CINCLUDES"),
    ("APPDEMO_SRCS-y += $(APPDEMO_BASE)/missing.c",
     "source '{base}/missing.c' does not exist"),
    ("include $(APPDEMO_BASE)/other.mk",
     "unsupported construct 'include $(APPDEMO_BASE)/other.mk' (standalone "
     "Makefile.uk files allow addlib/addlib_s, VAR-y +=, "
     "ifeq/ifneq/else/endif)"),
])
def test_unsupported_constructs_name_file_and_line(tmp_path, line, message):
    makefile = library(tmp_path, "$(eval $(call addlib,appdemo))\n\n"
                                 + line + "\n")
    with pytest.raises(MakefileUkError) as raised:
        read_makefile_uk(makefile, {})
    assert str(raised.value) == \
        f"{makefile}:3: " + message.format(base=tmp_path)


def test_missing_endif_is_an_error(tmp_path):
    makefile = library(tmp_path, "$(eval $(call addlib,appdemo))\n"
                                 "ifeq ($(CONFIG_A),y)\n")
    with pytest.raises(MakefileUkError) as raised:
        read_makefile_uk(makefile, {})
    assert str(raised.value) == f"{makefile}:2: missing 'endif' at end of file"


def test_stray_else_is_an_error(tmp_path):
    makefile = library(tmp_path, "$(eval $(call addlib,appdemo))\nelse\n")
    with pytest.raises(MakefileUkError) as raised:
        read_makefile_uk(makefile, {})
    assert str(raised.value) == \
        f"{makefile}:2: 'else' without a matching ifeq/ifneq"


def test_variable_before_addlib_is_an_error(tmp_path):
    makefile = library(tmp_path, "APPDEMO_SRCS-y += a.c\n")
    with pytest.raises(MakefileUkError) as raised:
        read_makefile_uk(makefile, {})
    assert str(raised.value) == (
        f"{makefile}:1: 'APPDEMO_SRCS' before the library is declared with "
        "$(eval $(call addlib_s,...))")
