"""Checks of the section layout: presence, alignment, pages, guard pages.

``sections-present``  ``.comp<k>.text/.rodata/.data/.bss/.stack`` for
                      k = 1..N and ``.ukc.gates``, ``.ukc.desc``,
                      ``.ukc.shared``, ``.ukc.symtab``; and no compartment
                      beyond N.
``page-aligned``      every section that starts a region (compartment,
                      ukcompart and supervisor sections, and any section
                      whose owner differs from the one below) starts on a
                      4 KiB page.
``no-shared-page``    no page holds bytes of sections of two owners
                      (:mod:`~ukcompart.verify.regions` says who owns
                      what); empty sections hold no bytes.
``stack-guard``       below each ``.comp<k>.stack`` one page that no
                      section and no ``PT_LOAD`` segment covers, named by
                      ``__ukc_comp<k>_guard_start/_end``, and the stack in
                      its compartment's band: the nearest section below
                      the guard page is one of the same compartment.
                      Embedded in Unikraft, which hands the gaps between
                      load segments to its allocators, the page is
                      reserved instead: exactly covered by an empty
                      (NOBITS) ``.comp<k>.guard`` and by a ``PT_LOAD``
                      segment of its own that grants no access.

Each function returns the number of items checked and the failures.
"""

from typing import List, Tuple

from .image import PT_LOAD
from .regions import (CORE, DESC, GATES, PAGE_SIZE, PARTS, SHARED, SYMTAB,
                      Owner, compartment_part)
from .report import Failure
from .subject import Subject

Outcome = Tuple[int, List[Failure]]


def sections_present(subject: Subject) -> Outcome:
    regions = subject.regions
    expected = [f".comp{k}.{part}" for k in range(1, subject.count + 1)
                for part in PARTS] + [GATES, DESC, SHARED, SYMTAB]
    failures = [Failure("missing from the image; the generated linker "
                        "script must place it (docs/image-layout.md)",
                        section=name)
                for name in expected if regions.section(name) is None]
    for section in regions.allocated:
        part = compartment_part(section.name)
        if part is not None and part[0] > subject.count:
            failures.append(Failure(
                f"compartment {part[0]} is not configured "
                f"(CONFIG_UKCOMPART_NUM={subject.count})",
                section=section.name, address=section.addr))
    return len(expected), failures


def _needs_page_start(subject: Subject, section, previous) -> bool:
    """Compartment, ukcompart and supervisor sections start on a page, as
    does any section whose owner differs from the one below it.  Core
    sections that follow core sections may share a page (Unikraft's own
    linker script packs its small registration tables that way), because
    every byte of those pages belongs to the core alike."""
    owner = subject.regions.owners[section.name]
    if owner != CORE or previous is None:
        return True
    return subject.regions.owners[previous.name] != owner


def page_aligned(subject: Subject) -> Outcome:
    failures = []
    sections = sorted(subject.regions.allocated, key=lambda s: s.addr)
    checked = 0
    previous = None
    for section in sections:
        needed = _needs_page_start(subject, section, previous)
        previous = section
        if not needed:
            continue
        checked += 1
        if section.addr % PAGE_SIZE:
            failures.append(Failure(
                f"starts {section.addr % PAGE_SIZE:#x} bytes into a page; "
                "every output section must start on a 4 KiB boundary",
                section=section.name, address=section.addr,
                symbol=subject.symbol_at(section.addr)))
    return checked, failures


def no_shared_page(subject: Subject) -> Outcome:
    regions = subject.regions
    spans = sorted(((s.addr // PAGE_SIZE, (s.end - 1) // PAGE_SIZE, s)
                    for s in regions.allocated if s.size),
                   key=lambda span: (span[0], span[1]))
    failures = []
    active: list = []
    pages = 0
    covered_to = -1
    for first, last, section in spans:
        owner = regions.owners[section.name]
        active = [a for a in active if a[1] >= first]
        for _, other_last, other in active:
            other_owner = regions.owners[other.name]
            if other_owner != owner:
                page = first * PAGE_SIZE
                failures.append(Failure(
                    f"page {page:#x} holds bytes of {other.name} "
                    f"({other_owner.label}) and {section.name} "
                    f"({owner.label})",
                    section=section.name, address=max(page, section.addr),
                    symbol=subject.symbol_at(max(page, section.addr))))
        active.append((first, last, section))
        pages += max(0, last - max(first, covered_to + 1) + 1)
        covered_to = max(covered_to, last)
    return pages, failures


def _is_reservation(section, k: int, low: int, high: int) -> bool:
    """``.comp<k>.guard``: no contents, exactly the guard page."""
    return section.name == f".comp{k}.guard" and section.nobits and \
        section.addr == low and section.end == high


def stack_guard(subject: Subject) -> Outcome:
    regions = subject.regions
    failures: List[Failure] = []
    checked = 0
    for k in range(1, subject.count + 1):
        stack = regions.section(f".comp{k}.stack")
        if stack is None:
            continue
        checked += 1
        low, high = stack.addr - PAGE_SIZE, stack.addr
        guard_name = f"__ukc_comp{k}_guard_start"

        for section in regions.allocated:
            if section.size and section.addr < high and low < section.end \
                    and not _is_reservation(section, k, low, high):
                failures.append(Failure(
                    f"the guard page [{low:#x}, {high:#x}) below "
                    f".comp{k}.stack holds bytes of {section.name}; it must "
                    "be an unmapped gap", section=section.name,
                    address=max(low, section.addr), symbol=guard_name))
        for segment in subject.image.segments:
            if segment.type == PT_LOAD and segment.memsz and \
                    segment.vaddr < high and low < segment.end and not (
                        segment.flags == 0 and segment.vaddr == low
                        and segment.end == high):
                failures.append(Failure(
                    f"the guard page [{low:#x}, {high:#x}) below "
                    f".comp{k}.stack lies in the PT_LOAD segment "
                    f"[{segment.vaddr:#x}, {segment.end:#x}), so it would "
                    "be loaded and mapped", section=f".comp{k}.stack",
                    address=low, symbol=guard_name))

        for name, want in ((guard_name, low),
                           (f"__ukc_comp{k}_guard_end", high)):
            value = subject.symbol_value(name)
            if value != want:
                shown = "missing" if value is None else f"{value:#x}"
                failures.append(Failure(
                    f"{name} is {shown}; the guard page below .comp{k}.stack"
                    f" is [{low:#x}, {high:#x})", section=f".comp{k}.stack",
                    address=value if value is not None else low,
                    symbol=name))

        own = Owner("compartment", k)
        below = [s for s in regions.allocated if s.size and s.end <= low]
        if below:
            neighbour = max(below, key=lambda s: s.end)
            if regions.owners[neighbour.name] != own:
                failures.append(Failure(
                    f".comp{k}.stack is not in compartment {k}'s band: the "
                    f"section below its guard page is {neighbour.name} "
                    f"({regions.owners[neighbour.name].label})",
                    section=f".comp{k}.stack", address=stack.addr,
                    symbol=f"__ukc_comp{k}_stack_start"))
    return checked, failures
