"""Damaged images: the verifier reports or raises BadInput, nothing else.

Hypothesis flips bits, overwrites byte runs and truncates a copy of the
examples/two-comps image built by scons, aiming half the damage at the
ELF header, the section header table and the symbol table, where a
parser is most easily led astray.
"""

import functools
import shutil

from hypothesis import HealthCheck, given, settings, strategies as st
from verifykit import scratch, two_comps

from ukcompart.verify import BadInput, Report, memmap, verify
from ukcompart.verify import image as elfimage

IMAGE = "two-comps_qemu-x86_64.dbg"


@functools.lru_cache(maxsize=None)
def workspace():
    """A private copy of the build, and the pristine image bytes."""
    build = scratch("fuzz") / "build"
    shutil.copytree(two_comps(), build)
    pristine = (build / IMAGE).read_bytes()
    elf = elfimage.load(build / IMAGE)
    symtab = next(s for s in elf.sections if s.type == elfimage.SHT_SYMTAB)
    shoff = int.from_bytes(pristine[0x28:0x30], "little")
    hot = [(0, 64), (64, 64 + 56 * len(elf.segments)),
           (shoff, len(pristine)),
           (symtab.offset, symtab.offset + symtab.size)]
    return build, pristine, hot


def _offsets(size, hot):
    spans = [st.integers(low, max(low, high - 1)) for low, high in hot]
    return st.one_of(st.integers(0, size - 1), *spans)


@st.composite
def damage(draw):
    _, pristine, hot = workspace()
    data = bytearray(pristine)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "overwrite", "truncate"]))
        if not data:
            break
        offsets = _offsets(len(data), [(lo, min(hi, len(data)))
                                       for lo, hi in hot if lo < len(data)])
        if kind == "flip":
            at = draw(offsets)
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "overwrite":
            at = draw(offsets)
            run = draw(st.binary(min_size=1, max_size=16))
            data[at:at + len(run)] = run
        else:
            del data[draw(st.integers(0, len(data) - 1)):]
    return bytes(data)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(damage())
def test_damaged_image_gives_a_report_or_bad_input(data):
    build, _, _ = workspace()
    image = build / IMAGE
    image.write_bytes(data)

    try:
        report = verify(image, build / ".config")
    except BadInput as error:
        message = str(error)
        assert "\n" not in message
        assert message.startswith(str(build))
        return

    assert isinstance(report, Report)
    report.table()
    report.json()
    memmap.svg(report)
