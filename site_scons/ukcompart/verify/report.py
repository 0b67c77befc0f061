"""The verifier's findings: one result per check, as a table or as JSON.

A check reports how many items it looked at and every failure, each with
the section, address and symbol involved where there is one.  The table
is for people (one row per check, the first failure in it, then every
failure below); ``--json`` carries the same content for tools::

    {"image": "...", "ok": true,
     "checks": [{"name": "page-aligned", "status": "PASS", "checked": 23,
                 "failures": [{"message": "...", "section": ".comp1.data",
                               "address": 1101824, "symbol": null}]}]}
"""

import json
from dataclasses import dataclass, field
from typing import List, Optional

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"


@dataclass(frozen=True)
class Failure:
    """One thing a check found wrong."""

    message: str
    section: Optional[str] = None
    address: Optional[int] = None
    symbol: Optional[str] = None

    def __str__(self) -> str:
        where = []
        if self.section:
            where.append(self.section)
        if self.address is not None:
            where.append(f"{self.address:#x}")
        if self.symbol:
            where.append(self.symbol)
        return f"{' '.join(where)}: {self.message}" if where \
            else self.message


@dataclass
class CheckResult:
    name: str
    status: str
    checked: int = 0
    failures: List[Failure] = field(default_factory=list)


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
            first = str(c.failures[0]) if c.failures else ""
            lines.append(f"{c.name:<{width}}  {c.status:<6}  "
                         f"{c.checked:>7}  {first}".rstrip())
        failing = [c for c in self.checks if c.failures]
        if failing:
            lines.append("")
            for c in failing:
                for failure in c.failures:
                    lines.append(f"{c.name}: {failure}")
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
