"""Each check catches the mistake it exists for, and only that check fails.

Every test starts from the correct synthetic image (``verifykit.base()``),
breaks it in one way (a linker-script change, a patched byte, an object
whose calls were not routed through gates) and asserts the exact set of
failing checks and the exact first message.
"""

from verifykit import base, copy_of, patch, section, symbol, variant

from ukcompart.verify import verify
from ukcompart.verify.config import pkru_for

PAGE = 4096


def failures(synth):
    report = verify(synth.image, synth.config)
    return report.failed(), [str(f) for c in report.checks
                             for f in c.failures]


def test_the_correct_image_passes_every_check():
    assert failures(base()) == ([], [])


def test_section_off_its_page_fails_page_aligned_only():
    synth = variant("unaligned", script_edit=lambda text: text.replace(
        "\t\t. = ALIGN(4096);\n\t\t__ukc_comp1_text_end = .;",
        "\t\t__ukc_comp1_text_end = .;").replace(
        ".comp1.rodata ALIGN(4096)", ".comp1.rodata ALIGN(16)"))
    rodata = section(synth.image, ".comp1.rodata")
    assert rodata.addr % PAGE

    failed, messages = failures(synth)

    assert failed == ["page-aligned"]
    assert messages == [
        f".comp1.rodata {rodata.addr:#x} vault_banner: starts "
        f"{rodata.addr % PAGE:#x} bytes into a page; every output section "
        "must start on a 4 KiB boundary"]


def _comp2_data_on_comp1_data(text: str) -> str:
    text = text.replace(".comp2.data ALIGN(4096) :",
                        ".comp2.data __ukc_comp1_data_start :")
    end = text.index("}", text.index("__ukc_comp2_data_end = .;")) + 1
    return text[:end] + "\n\t. = __ukc_comp2_rodata_end + 0x1000;" + \
        text[end:]


def test_two_compartments_data_in_one_page_fails_no_shared_page_only():
    synth = variant("shared-page", script_edit=_comp2_data_on_comp1_data,
                    link_flags=["--no-check-sections"])
    page = section(synth.image, ".comp1.data").addr

    failed, messages = failures(synth)

    assert failed == ["no-shared-page"]
    assert messages == [
        f".comp2.data {page:#x} vault_key: page {page:#x} holds bytes of "
        ".comp1.data (compartment 1) and .comp2.data (compartment 2)"]


def test_symbol_in_the_wrong_compartment_fails_symbol_placement_only():
    synth = variant("moved", script_edit=lambda text: text.replace(
        "__data_start = .;\n",
        "__data_start = .;\n\t\t*/libvault.gated.o(.data.vault_moved)\n"))
    moved = symbol(synth.image, "vault_moved")

    failed, messages = failures(synth)

    assert failed == ["symbol-placement"]
    assert messages == [
        f".data {moved:#x} vault_moved: vault_moved of libvault "
        "(libvault.gated.o, .data.vault_moved) lies in .data (core), not "
        "in compartment 1's sections (.comp1.*)"]


def test_wrpkru_inside_an_instruction_fails_wrpkru_only_in_gates_only(
        tmp_path):
    synth = copy_of(base(), tmp_path / "image")
    # vault_mix: movabs $imm64, %rax (48 b8 imm64); plant 0f 01 ef in the
    # middle of the immediate, at no instruction boundary.
    planted = symbol(synth.image, "vault_mix") + 3
    patch(synth.image, planted, b"\x0f\x01\xef")

    failed, messages = failures(synth)

    assert failed == ["wrpkru-only-in-gates"]
    assert messages == [f".comp1.text {planted:#x} vault_mix+0x3: WRPKRU "
                        "(0f 01 ef) outside .ukc.gates"]


def _plant_in_second_immediate(tmp_path, code: bytes):
    synth = copy_of(base(), tmp_path / "image")
    planted = symbol(synth.image, "vault_mix") + 10 + 2
    patch(synth.image, planted, code)
    return synth, planted


def test_xrstor64_fails_xrstor_only_in_gates_only(tmp_path):
    synth, planted = _plant_in_second_immediate(tmp_path,
                                                b"\x48\x0f\xae\x2f")

    failed, messages = failures(synth)

    assert failed == ["xrstor-only-in-gates"]
    assert messages == [f".comp1.text {planted:#x} vault_mix+0xc: XRSTOR64 "
                        "(48 0f ae 2f) outside .ukc.gates"]


def test_xrstor_with_a_memory_operand_is_found(tmp_path):
    synth, planted = _plant_in_second_immediate(tmp_path,
                                                b"\x0f\xae\x6f\x08")

    failed, messages = failures(synth)

    assert failed == ["xrstor-only-in-gates"]
    assert messages == [f".comp1.text {planted:#x} vault_mix+0xc: XRSTOR "
                        "(0f ae 6f) outside .ukc.gates"]


def test_xrstors_is_found(tmp_path):
    synth, planted = _plant_in_second_immediate(tmp_path, b"\x0f\xc7\x1f")

    failed, messages = failures(synth)

    assert failed == ["xrstor-only-in-gates"]
    assert messages == [f".comp1.text {planted:#x} vault_mix+0xc: XRSTORS "
                        "(0f c7 1f) outside .ukc.gates"]


def test_lfence_is_not_xrstor():
    image = base().image
    lfence = symbol(image, "vault_mix") + 20
    text = section(image, ".comp1.text")
    data = image.read_bytes()
    at = text.offset + lfence - text.addr
    assert data[at:at + 3] == b"\x0f\xae\xe8"

    report = verify(image, base().config)

    assert report.check("xrstor-only-in-gates").status == "PASS"


def test_call_bypassing_its_gate_fails_no_direct_cross_call_only():
    synth = variant("ungated", ungated=["libapp"])
    core_puts = symbol(synth.image, "core_puts")
    vault_get = symbol(synth.image, "vault_get")

    failed, messages = failures(synth)

    assert failed == ["no-direct-cross-call"]
    assert [m.split(": ", 1)[1] for m in messages] == [
        f"compartment 2 branches directly to core_puts at {core_puts:#x} in "
        ".text (the core), bypassing the gates",
        f"compartment 2 branches directly to vault_get at {vault_get:#x} in "
        ".comp1.text (compartment 1), bypassing the gates"]


def test_removed_guard_page_fails_stack_guard_only():
    synth = variant("no-guard", script_edit=lambda text: text.replace(
        "__ukc_comp1_guard_start = .;\n\t. += 4096;",
        "__ukc_comp1_guard_start = .;"))
    stack = section(synth.image, ".comp1.stack").addr
    bss = section(synth.image, ".comp1.bss")
    assert bss.end == stack

    failed, messages = failures(synth)

    assert failed == ["stack-guard"]
    guard = f"[{stack - PAGE:#x}, {stack:#x})"
    assert messages[0] == (
        f".comp1.bss {stack - PAGE:#x} __ukc_comp1_guard_start: the guard "
        f"page {guard} below .comp1.stack holds bytes of .comp1.bss; it "
        "must be an unmapped gap")
    assert messages[2] == (
        f".comp1.stack {stack:#x} __ukc_comp1_guard_start: "
        f"__ukc_comp1_guard_start is {stack:#x}; the guard page below "
        f".comp1.stack is {guard}")


def test_altered_descriptor_field_fails_descriptor_matches_only(tmp_path):
    synth = copy_of(base(), tmp_path / "image")
    field = symbol(synth.image, "ukc_desc") + 56 + 144 + 36
    patch(synth.image, field, (0).to_bytes(4, "little"))

    failed, messages = failures(synth)

    assert failed == ["descriptor-matches"]
    assert messages == [
        f".ukc.desc {field:#x} ukc_desc: comp[1] (vault) pkru is 0, the "
        f"configuration gives {pkru_for(1):#x}"]
    assert pkru_for(1) == 0x3ffffff3


def test_non_shared_symbol_in_the_shared_section_fails_shared_section_only():
    synth = variant("unshared", script_edit=lambda text: text.replace(
        "__ukc_shared_start = .;\n", "__ukc_shared_start = .;\n"
        "\t\t*/libvault.gated.o(.data.vault_moved)\n"))
    moved = symbol(synth.image, "vault_moved")

    failed, messages = failures(synth)

    assert failed == ["shared-section"]
    assert messages == [
        f".ukc.shared {moved:#x} vault_moved: vault_moved lies in "
        ".ukc.shared, but libvault (libvault.gated.o, .data.vault_moved) "
        "does not mark it UKCOMPART_SHARED; only UKCOMPART_SHARED data may "
        "be open to every compartment"]


def test_missing_compartment_section_fails_sections_present_only():
    synth = variant("renamed", script_edit=lambda text: text.replace(
        ".comp2.rodata ALIGN", ".comp2.ro ALIGN"))

    failed, messages = failures(synth)

    assert failed == ["sections-present"]
    assert messages == [".comp2.rodata: missing from the image; the "
                        "generated linker script must place it "
                        "(docs/image-layout.md)"]


def _vault_with(name: str, assembly: str):
    libraries = base_libraries()
    vault = next(lib for lib in libraries if lib.name == "libvault")
    vault.sources["cross.S"] = assembly
    return variant(name, libraries=libraries, rebuild=["libvault"])


def base_libraries():
    from synthimage import two_compartments
    return two_compartments()


def test_call_through_another_compartments_gate_fails():
    synth = _vault_with("foreign-gate", """
	.text
	.globl	vault_borrow
	.type	vault_borrow, @function
vault_borrow:
	call	__ukc_gate_2_core_puts
	ret
""")
    site = symbol(synth.image, "vault_borrow")

    failed, messages = failures(synth)

    assert failed == ["no-direct-cross-call"]
    assert messages == [
        f".comp1.text {site:#x} __ukc_gate_2_core_puts: compartment 1 calls "
        "__ukc_gate_2_core_puts, the gate for callers in compartment 2; it "
        "must use its own gate"]


def test_jump_into_the_middle_of_a_gate_fails():
    synth = _vault_with("mid-gate", """
	.text
	.globl	vault_skip
	.type	vault_skip, @function
vault_skip:
	jmp	__ukc_gate_1_core_puts + 16
""")
    site = symbol(synth.image, "vault_skip")
    target = symbol(synth.image, "__ukc_gate_1_core_puts") + 16

    failed, messages = failures(synth)

    assert failed == ["no-direct-cross-call"]
    assert messages == [
        f".comp1.text {site:#x} __ukc_gate_1_core_puts: compartment 1 "
        f"branches into .ukc.gates at {target:#x} (__ukc_gate_1_core_puts), "
        "which is not a gate entry (__ukc_gate_* or ukc_call_ptr*)"]


def test_image_of_another_mechanism_fails_descriptor_matches(tmp_path):
    synth = copy_of(base("mpk"), tmp_path / "image")
    synth.config.write_text(synth.config.read_text().replace(
        "CONFIG_UKCOMPART_MPK=y\n# CONFIG_UKCOMPART_FCALL is not set",
        "# CONFIG_UKCOMPART_MPK is not set\nCONFIG_UKCOMPART_FCALL=y"))
    mechanism = symbol(synth.image, "ukc_desc") + 16

    failed, messages = failures(synth)

    assert failed == ["descriptor-matches"]
    assert messages == [f".ukc.desc {mechanism:#x} ukc_desc: mechanism is 1, "
                        "CONFIG_UKCOMPART_FCALL gives 2"]


def test_stack_size_other_than_configured_fails_descriptor_matches(
        tmp_path):
    synth = copy_of(base(), tmp_path / "image")
    synth.config.write_text(synth.config.read_text().replace(
        "CONFIG_UKCOMPART_COMP2_STACK_SIZE=0x8000",
        "CONFIG_UKCOMPART_COMP2_STACK_SIZE=0x10000"))
    size = symbol(synth.image, "ukc_desc") + 56 + 2 * 144 + 120

    failed, messages = failures(synth)

    assert failed == ["descriptor-matches"]
    assert messages == [
        f".ukc.desc {size:#x} ukc_desc: comp[2] (app) stack size is 0x8000, "
        "CONFIG_UKCOMPART_COMP2_STACK_SIZE gives 0x10000"]


def _comp1_stack_after_comp2(text: str) -> str:
    start = text.index("\t. = ALIGN(4096);\n\t__ukc_comp1_guard_start")
    end = text.index("}\n", text.index(".comp1.stack (NOLOAD)")) + 2
    block = text[start:end]
    text = text[:start] + text[end:]
    at = text.index("\t.ukc.symtab ALIGN")
    return text[:at] + block + text[at:]


def test_stack_outside_its_compartment_fails_stack_guard_only():
    synth = variant("stranded-stack", script_edit=_comp1_stack_after_comp2)
    stack = section(synth.image, ".comp1.stack").addr

    failed, messages = failures(synth)

    assert failed == ["stack-guard"]
    assert messages == [
        f".comp1.stack {stack:#x} __ukc_comp1_stack_start: .comp1.stack is "
        "not in compartment 1's band: the section below its guard page is "
        ".comp2.stack (compartment 2)"]


XCR0_NO_PKRU = 1


def _embedded_with(name: str, tmp_path, desc_flags: int, code: bytes,
                   offset: int = 12):
    """An image as embedded mode links it, with ``code`` planted in
    vault_mix at ``offset`` (inside its second movabs immediate)."""
    synth = copy_of(variant(name, desc_flags=desc_flags, embedded=True),
                    tmp_path / "image")
    planted = symbol(synth.image, "vault_mix") + offset
    patch(synth.image, planted, code)
    return synth, planted


def test_xrstor_with_the_xcr0_flag_off_fails_xrstor_only_in_gates(tmp_path):
    synth, planted = _embedded_with("embedded-flag-off", tmp_path, 0,
                                    b"\x0f\xae\x2f")
    flags = symbol(synth.image, "ukc_desc") + 20

    failed, messages = failures(synth)

    assert failed == ["descriptor-matches", "xrstor-only-in-gates"]
    assert messages == [
        f".ukc.desc {flags:#x} ukc_desc: flags is 0, a Unikraft tree's "
        ".config (CONFIG_UK_BASE) gives 1",
        f".comp1.text {planted:#x} vault_mix+0xc: XRSTOR (0f ae 2f) "
        "outside .ukc.gates"]


def test_xrstor_with_the_xcr0_flag_on_passes_and_is_listed_as_allowed(
        tmp_path):
    synth, planted = _embedded_with("embedded-flag-on", tmp_path,
                                    XCR0_NO_PKRU, b"\x0f\xae\x2f")

    report = verify(synth.image, synth.config)

    assert report.failed() == []
    check = report.check("xrstor-only-in-gates")
    assert [str(a) for a in check.allowed] == [
        f".comp1.text {planted:#x} vault_mix+0xc: XRSTOR (0f ae 2f) outside "
        ".ukc.gates; allowed: the descriptor table's flags say the runtime "
        "clears PKRU from XCR0 at boot (UKC_DESC_XCR0_NO_PKRU), so it "
        "cannot load PKRU"]
    table = report.table().splitlines()
    assert f"xrstor-only-in-gates: {check.allowed[0]}" in table
    row = next(line for line in table
               if line.startswith("xrstor-only-in-gates "))
    assert row.split()[1:] == ["PASS", str(check.checked), "(none;", "1",
                               "allowed,", "listed", "below)"]
    assert report.as_dict()["checks"][7]["allowed"] == [{
        "message": "XRSTOR (0f ae 2f) outside .ukc.gates",
        "section": ".comp1.text", "address": planted,
        "symbol": "vault_mix+0xc", "reason": check.allowed[0].reason}]


def test_xcr0_flag_in_a_standalone_image_fails_descriptor_matches(tmp_path):
    synth = copy_of(variant("standalone-flag-on", desc_flags=XCR0_NO_PKRU),
                    tmp_path / "image")
    flags = symbol(synth.image, "ukc_desc") + 20

    failed, messages = failures(synth)

    assert failed == ["descriptor-matches"]
    assert messages == [
        f".ukc.desc {flags:#x} ukc_desc: flags is 1, a standalone .config "
        "(no CONFIG_UK_BASE) gives 0"]


def test_wrpkru_fails_even_with_the_xcr0_flag_on(tmp_path):
    synth, planted = _embedded_with("embedded-wrpkru", tmp_path,
                                    XCR0_NO_PKRU, b"\x0f\x01\xef", offset=3)

    failed, messages = failures(synth)

    assert failed == ["wrpkru-only-in-gates"]
    assert messages == [f".comp1.text {planted:#x} vault_mix+0x3: WRPKRU "
                        "(0f 01 ef) outside .ukc.gates"]
