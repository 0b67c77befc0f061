"""Calls across compartments carry every argument shape, both mechanisms.

tests/apps/gatecalls calls functions of a library in another compartment
with 0, 3, 6, 7 and 9 integer arguments, a variadic call, a struct
returned in registers, a callback through UKCOMPART_CALL and printf with
many arguments; each line must carry the exact value.
"""

import pytest

from conftest import FCALL, TREE, boot, build_app

GATECALLS = TREE / "tests" / "apps" / "gatecalls"

EXPECTED = [
    "zero=42",
    "three=123",
    "six=91",
    "seven=140",
    "nine=285",
    "variadic=385",
    "pair=13,42",
    "callback=16",
    "printf=1 2 3 4 5 6 7 8 9 10 end",
]


@pytest.mark.parametrize("changes, stacks", [({}, "separate"),
                                             (FCALL, "shared")],
                         ids=["mpk", "fcall"])
def test_every_call_shape_returns_the_exact_value(tmp_path, changes, stacks):
    image = build_app(GATECALLS, tmp_path, changes)
    assert boot(image) == (0, EXPECTED + [f"stacks={stacks}"])


def test_gate_list_names_every_crossing(tmp_path):
    build_app(GATECALLS, tmp_path)
    listing = (tmp_path / "ukcompart" / "gates.txt").read_text()
    assert listing.splitlines() == [
        "appgatecalls -> libcallee callee_callback",
        "appgatecalls -> libcallee callee_nine",
        "appgatecalls -> libcallee callee_pair",
        "appgatecalls -> libcallee callee_seven",
        "appgatecalls -> libcallee callee_six",
        "appgatecalls -> libcallee callee_stack_depth",
        "appgatecalls -> libcallee callee_sum",
        "appgatecalls -> libcallee callee_three",
        "appgatecalls -> libcallee callee_zero",
        "appgatecalls -> libukconsole printf",
        "libqemuplat -> appgatecalls main",
    ]
