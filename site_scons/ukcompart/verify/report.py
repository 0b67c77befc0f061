"""The verifier's findings: one result per check, as a table or as JSON.

A check reports how many items it looked at and every failure, each with
the section, address and symbol involved where there is one, and every
finding it accepted (an allowance) with the reason it may stay.  The
table is for people (one row per check, the first failure in it, then
every failure and every allowance below); ``--json`` carries the same
content for tools::

    {"image": "...", "ok": true,
     "checks": [{"name": "page-aligned", "status": "PASS", "checked": 23,
                 "failures": [{"message": "...", "section": ".comp1.data",
                               "address": 1101824, "symbol": null}],
                 "allowed": [{"message": "...", "section": ".text",
                              "address": 1209855, "symbol": "f+0x4f",
                              "reason": "..."}]}]}
"""

import json
from dataclasses import dataclass, field
from typing import List, Optional

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"


def _located(message: str, section: Optional[str], address: Optional[int],
             symbol: Optional[str]) -> str:
    where = []
    if section:
        where.append(section)
    if address is not None:
        where.append(f"{address:#x}")
    if symbol:
        where.append(symbol)
    return f"{' '.join(where)}: {message}" if where else message


@dataclass(frozen=True)
class Failure:
    """One thing a check found wrong."""

    message: str
    section: Optional[str] = None
    address: Optional[int] = None
    symbol: Optional[str] = None

    def __str__(self) -> str:
        return _located(self.message, self.section, self.address,
                        self.symbol)


@dataclass(frozen=True)
class Allowance:
    """A finding a check accepted, and the fact of the image that allows it."""

    message: str
    reason: str
    section: Optional[str] = None
    address: Optional[int] = None
    symbol: Optional[str] = None

    def __str__(self) -> str:
        return _located(f"{self.message}; allowed: {self.reason}",
                        self.section, self.address, self.symbol)


@dataclass
class CheckResult:
    name: str
    status: str
    checked: int = 0
    failures: List[Failure] = field(default_factory=list)
    allowed: List[Allowance] = field(default_factory=list)


@dataclass
class MapEntry:
    """One row of the memory map: a section, or a guard page."""

    name: str
    addr: int
    size: int
    owner: str                  # core, comp<k>, shared, supervisor
    label: str                  # who owns it, for people
    key: Optional[int]          # None: supervisor page, or unmapped
    unmapped: bool = False      # a guard page


@dataclass
class Report:
    image: str
    checks: List[CheckResult]
    summary: str = ""
    memory_map: List[MapEntry] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    def check(self, name: str) -> CheckResult:
        return next(c for c in self.checks if c.name == name)

    def failed(self) -> List[str]:
        return [c.name for c in self.checks if c.status == FAIL]

    def as_dict(self) -> dict:
        return {
            "image": self.image,
            "ok": self.ok,
            "checks": [{
                "name": c.name, "status": c.status, "checked": c.checked,
                "failures": [{"message": f.message, "section": f.section,
                              "address": f.address, "symbol": f.symbol}
                             for f in c.failures],
                "allowed": [{"message": a.message, "section": a.section,
                             "address": a.address, "symbol": a.symbol,
                             "reason": a.reason}
                            for a in c.allowed],
            } for c in self.checks],
        }

    def json(self) -> str:
        return json.dumps(self.as_dict(), indent=2) + "\n"

    def table(self) -> str:
        """The report for people."""
        width = max(len(c.name) for c in self.checks)
        lines = [f"{self.image}: {self.summary}" if self.summary
                 else self.image, "",
                 f"{'check':<{width}}  status  checked  first failure"]
        for c in self.checks:
            if c.failures:
                first = str(c.failures[0])
            elif c.allowed:
                first = f"(none; {len(c.allowed)} allowed, listed below)"
            else:
                first = ""
            lines.append(f"{c.name:<{width}}  {c.status:<6}  "
                         f"{c.checked:>7}  {first}".rstrip())
        failing = [c for c in self.checks if c.failures]
        if failing:
            lines.append("")
            for c in failing:
                for failure in c.failures:
                    lines.append(f"{c.name}: {failure}")
        allowing = [c for c in self.checks if c.allowed]
        if allowing:
            lines.append("")
            for c in allowing:
                for allowance in c.allowed:
                    lines.append(f"{c.name}: {allowance}")
        failed = self.failed()
        lines.append("")
        if failed:
            lines.append(f"FAIL: {len(failed)} of {len(self.checks)} checks "
                         f"failed ({', '.join(failed)})")
        elif all(c.status == SKIP for c in self.checks):
            lines.append("OK: nothing to verify")
        else:
            lines.append(f"OK: all {len(self.checks)} checks passed")
        return "\n".join(lines) + "\n"
