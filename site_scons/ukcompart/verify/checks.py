"""The checks, in the order the report lists them, and running them.

A check's name is stable: scripts and tests match on it.  Each check is a
function of the :class:`~ukcompart.verify.subject.Subject` returning the
number of items it looked at and its failures, and, for a check that
accepts a finding on a condition it states, the accepted findings.
"""

from typing import Callable, List, Tuple, Union

from . import code, descriptor, hardening, sections, symbols
from .report import FAIL, PASS, SKIP, Allowance, CheckResult, Failure
from .subject import Subject

Check = Callable[[Subject], Union[Tuple[int, List[Failure]],
                                  Tuple[int, List[Failure],
                                        List[Allowance]]]]

CHECKS: List[Tuple[str, Check]] = [
    ("sections-present", sections.sections_present),
    ("page-aligned", sections.page_aligned),
    ("no-shared-page", sections.no_shared_page),
    ("symbol-placement", symbols.symbol_placement),
    ("descriptor-matches", descriptor.descriptor_matches),
    ("stack-guard", sections.stack_guard),
    ("wrpkru-only-in-gates", code.wrpkru_only_in_gates),
    ("xrstor-only-in-gates", code.xrstor_only_in_gates),
    ("no-direct-cross-call", code.no_direct_cross_call),
    ("shared-section", symbols.shared_section),
    ("hardening-applied", hardening.hardening_applied),
]

NAMES = [name for name, _ in CHECKS]


def run(subject: Subject) -> List[CheckResult]:
    """Every check's result; all skipped when compartments are off."""
    if not subject.reference.enabled:
        return [CheckResult(name, SKIP) for name in NAMES]
    results = []
    for name, check in CHECKS:
        checked, failures, *allowed = check(subject)
        results.append(CheckResult(name, FAIL if failures else PASS,
                                   checked, failures,
                                   allowed[0] if allowed else []))
    return results
