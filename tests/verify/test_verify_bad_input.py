"""Input the verifier cannot check: one line on stderr, exit status 2.

Each case runs the command line in-process and asserts the whole of
stderr: exactly ``ukcompart-verify: error: <message>`` and a newline,
nothing on stdout, no traceback.
"""

import subprocess

import pytest
from verifykit import base, copy_of, run_script, variant

from ukcompart.verify.cli import main

PREFIX = "ukcompart-verify: error: "
REMEDY_IMAGE = "pass the linked 64-bit image <build>/<app>_qemu-x86_64.dbg"
REMEDY_CONFIG = "pass the .config the image was built from (scons " \
    "olddefconfig rewrites a damaged one)"
REMEDY_LAYOUT = "rebuild with scons build, which writes it, or name it " \
    "with --layout FILE"


def error_of(capsys, *args):
    try:
        status = main([str(arg) for arg in args])
    except SystemExit as leaving:
        status = leaving.code
    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(PREFIX), err
    return status, err[len(PREFIX):-1]


@pytest.fixture
def synth(tmp_path):
    return copy_of(base(), tmp_path / "build")


def test_file_that_is_not_elf(capsys, synth):
    synth.image.write_text("#!/bin/sh\necho not an image\n")

    assert error_of(capsys, synth.image, "--config", synth.config) == (
        2, f"{synth.image}: not an ELF file; {REMEDY_IMAGE}")


def test_truncated_elf(capsys, synth):
    synth.image.write_bytes(synth.image.read_bytes()[:0x3000])

    status, message = error_of(capsys, synth.image, "--config",
                               synth.config)

    assert status == 2
    assert message.startswith(f"{synth.image}: truncated ELF image: its "
                              "section headers end at offset ")
    assert message.endswith(", past the end of the file (0x3000); "
                            "rebuild it")


def test_elf_truncated_inside_a_section(capsys, synth):
    data = synth.image.read_bytes()
    shoff = int.from_bytes(data[0x28:0x30], "little")
    # The ELF header, then the section headers at once: every section's
    # bytes lie past the end of the file.
    cut = bytearray(data[:0x40] + data[shoff:])
    cut[0x28:0x30] = (0x40).to_bytes(8, "little")
    synth.image.write_bytes(bytes(cut))
    boot = next(s for s in elf_sections(data) if s[0] == 1)

    assert error_of(capsys, synth.image, "--config", synth.config) == (
        2, f"{synth.image}: truncated ELF image: section #1 ends at offset "
        f"{boot[1] + boot[2]:#x}, past the end of the file ({len(cut):#x}); "
        "rebuild it")


def elf_sections(data: bytes):
    """(index, offset, size) of each section header of an ELF64 file."""
    shoff = int.from_bytes(data[0x28:0x30], "little")
    count = int.from_bytes(data[0x3c:0x3e], "little")
    for index in range(count):
        at = shoff + index * 64
        yield (index, int.from_bytes(data[at + 24:at + 32], "little"),
               int.from_bytes(data[at + 32:at + 40], "little"))


def test_32_bit_multiboot_copy(capsys, synth):
    multiboot = synth.build / "synth_qemu-x86_64"
    subprocess.run(["objcopy", "-O", "elf32-i386", "--strip-all",
                    str(synth.image), str(multiboot)], check=True)

    assert error_of(capsys, multiboot, "--config", synth.config) == (
        2, f"{multiboot}: a 32-bit ELF (the multiboot copy QEMU boots); "
        "pass the 64-bit image synth_qemu-x86_64.dbg beside it")


def test_stripped_image(capsys, synth):
    subprocess.run(["objcopy", "--strip-all", str(synth.image)], check=True)

    assert error_of(capsys, synth.image, "--config", synth.config) == (
        2, f"{synth.image}: no .symtab (a stripped image); pass the "
        "unstripped <build>/<app>_qemu-x86_64.dbg")


def test_image_without_compartment_sections(capsys, tmp_path):
    plain = copy_of(variant("plain", enabled=False), tmp_path / "plain")
    config = copy_of(base(), tmp_path / "build").config

    assert error_of(capsys, plain.image, "--config", config) == (
        2, f"{plain.image}: no .comp<k> sections although {config} sets "
        "CONFIG_UKCOMPART=y; pass the image built from this .config, or "
        "the .config this image was built from")


def test_missing_image(capsys, synth):
    missing = synth.build / "nothing.dbg"

    assert error_of(capsys, missing, "--config", synth.config) == (
        2, f"{missing}: no such image; {REMEDY_IMAGE}")


def test_missing_layout_json(capsys, synth):
    synth.layout.unlink()

    assert error_of(capsys, synth.image, "--config", synth.config) == (
        2, f"{synth.layout}: no such layout.json; {REMEDY_LAYOUT}")


def test_garbled_layout_json(capsys, synth):
    synth.layout.write_text('{"version": 1,\n "libraries": {\n')

    assert error_of(capsys, synth.image, "--config", synth.config) == (
        2, f"{synth.layout}:3: layout.json is not valid JSON (Expecting "
        f"property name enclosed in double quotes); {REMEDY_LAYOUT}")


def test_layout_json_of_another_version(capsys, synth):
    synth.layout.write_text('{"version": 7, "libraries": {}}\n')

    assert error_of(capsys, synth.image, "--config", synth.config) == (
        2, f"{synth.layout}: not a version 1 layout.json; {REMEDY_LAYOUT}")


def test_object_named_by_layout_json_is_missing(capsys, synth):
    missing = synth.build / "libvault.gated.o"
    missing.unlink()

    assert error_of(capsys, synth.image, "--config", synth.config) == (
        2, f"{missing}: no such object (the linked object of libvault, "
        f"named by {synth.layout}); rebuild with scons build")


def test_missing_config(capsys, synth):
    synth.config.unlink()

    assert error_of(capsys, synth.image, "--config", synth.config) == (
        2, f"{synth.config}: no such .config; {REMEDY_CONFIG}")


def test_garbled_config(capsys, synth):
    synth.config.write_text("CONFIG_UKCOMPART=y\nthis is no config\n")

    assert error_of(capsys, synth.image, "--config", synth.config) == (
        2, f"{synth.config}:2: not a .config line: 'this is no config'; "
        f"{REMEDY_CONFIG}")


def test_config_with_a_bad_stack_size(capsys, synth):
    synth.config.write_text(synth.config.read_text().replace(
        "STACK_SIZE=0x4000", "STACK_SIZE=lots"))

    assert error_of(capsys, synth.image, "--config", synth.config) == (
        2, f"{synth.config}: CONFIG_UKCOMPART_COMP1_STACK_SIZE=lots is not "
        f"a hex number; {REMEDY_CONFIG}")


def test_config_without_a_compartment_name(capsys, synth):
    synth.config.write_text("".join(
        line + "\n" for line in synth.config.read_text().splitlines()
        if "COMP2_NAME" not in line))

    assert error_of(capsys, synth.image, "--config", synth.config) == (
        2, f"{synth.config}: CONFIG_UKCOMPART_COMP2_NAME is not set although "
        f"CONFIG_UKCOMPART=y; {REMEDY_CONFIG}")


def test_missing_config_option_is_a_usage_error(capsys, synth):
    assert error_of(capsys, synth.image) == (
        2, "the following arguments are required: --config; see "
        "ukcompart-verify --help")


def test_script_prints_one_line_and_exits_2(synth):
    synth.image.write_bytes(b"\x7fELF" + bytes(10))

    done = run_script(synth.image, "--config", synth.config)

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"{PREFIX}{synth.image}: truncated ELF image (14 bytes, shorter "
        f"than the ELF header); {REMEDY_IMAGE}\n")
