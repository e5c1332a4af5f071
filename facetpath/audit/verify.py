"""Walks each clinic's audit chain and names the first entry that no longer matches (`facetpath audit verify`).

An edited entry no longer hashes to its stored hash; a deleted one leaves a gap in the numbering, and the
entry after it points at a hash nobody has; a deleted newest entry leaves the chain's head ahead of the
rows. Someone able to rewrite every later entry and the head too would go unseen: note the heads this
prints somewhere else (a ticket, a signed e-mail) to catch that.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from facetpath.audit.digest import GENESIS, entry_digest
from facetpath.audit.models import AuditEvent, ChainHead


@dataclass(frozen=True)
class ChainReport:
    chain: int
    entries: int
    head: str
    problem: str = ""  # empty when the chain is intact

    @property
    def intact(self) -> bool:
        return not self.problem


def verify_chains(chains: Iterable[int] | None = None) -> list[ChainReport]:
    """One report per chain (a clinic's id, 0 for entries of no clinic), all chains when none are named."""
    if chains is None:
        found = set(ChainHead.objects.values_list("chain", flat=True))
        found |= set(AuditEvent.objects.values_list("chain", flat=True).distinct())
        chains = sorted(found)
    return [verify_chain(chain) for chain in chains]


def verify_chain(chain: int) -> ChainReport:
    entries = AuditEvent.objects.filter(chain=chain).order_by("sequence").iterator(chunk_size=2000)
    count, last_sequence, last_hash = 0, 0, GENESIS
    for event in entries:
        problem = _mismatch(event, last_sequence, last_hash)
        if problem:
            return ChainReport(chain, count, last_hash, problem)
        count, last_sequence, last_hash = count + 1, event.sequence, event.entry_hash
    head = ChainHead.objects.filter(chain=chain).first()
    if head is None and count:
        return ChainReport(chain, count, last_hash, "the chain's head row was deleted")
    if head is not None and (head.sequence, head.entry_hash or GENESIS) != (last_sequence, last_hash):
        if head.sequence > last_sequence:
            problem = (
                f"deleted: the newest {_entries(head.sequence - last_sequence)} (from number "
                f"{last_sequence + 1}) after entry {_name_last(chain, last_sequence)}"
            )
        else:
            problem = f"edited: the chain's head (number {head.sequence}) does not match its last entry"
        return ChainReport(chain, count, last_hash, problem)
    return ChainReport(chain, count, last_hash)


def _mismatch(event: AuditEvent, last_sequence: int, last_hash: str) -> str:
    name = describe(event)
    if event.sequence > last_sequence + 1:
        gap = event.sequence - last_sequence - 1
        return (
            f"deleted: {_entries(gap)} (number {last_sequence + 1}…{event.sequence - 1}) just before {name}"
        )
    if event.sequence <= last_sequence:
        return f"edited: {name} repeats number {event.sequence}"
    if entry_digest(event) != event.entry_hash:
        return f"edited: {name} no longer matches its hash"
    if event.previous_hash != last_hash:
        return f"edited or deleted: {name} does not follow the entry before it"
    return ""


def _entries(n: int) -> str:
    return "1 entry" if n == 1 else f"{n} entries"


def _name_last(chain: int, sequence: int) -> str:
    last = AuditEvent.objects.filter(chain=chain, sequence=sequence).first()
    return describe(last) if last is not None else "(none: the chain is empty)"


def describe(event: AuditEvent) -> str:
    """`entry 1234 (number 56, 2026-12-04 03:01:02 UTC, nurse-a view)`: enough to find it in the database."""
    return (
        f"entry {event.pk} (number {event.sequence}, {event.when:%Y-%m-%d %H:%M:%S} UTC, "
        f"{event.username or '-'} {event.action})"
    )


def report_lines(reports: Iterable[ChainReport], names: dict[int, str]) -> Iterator[str]:
    for report in reports:
        name = names.get(report.chain, f"chain {report.chain}")
        if report.intact:
            yield f"{name}: intact, {report.entries} entries, head {report.head}"
        else:
            yield f"{name}: BROKEN after {report.entries} good entries: {report.problem}"
