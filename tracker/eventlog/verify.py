"""Walk the log's rows and check positions, clocks and the SHA-256 hash chain, then its head."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tracker.errors import InputError
from tracker.eventlog import codec


@dataclass(frozen=True, slots=True)
class Head:
    """The log's head: its last position and that event's hash (``position:hash`` as text)."""

    position: int
    hash: str

    def __str__(self) -> str:
        return f"{self.position}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Head:
        """Read ``POSITION:HASH`` (as ``tracker verify --export-head`` prints it)."""
        position, _, digest = text.strip().partition(":")
        digest = digest.strip().lower()
        if not position.strip().isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise InputError(f"invalid head {text!r}: expected POSITION:HASH (64 hex digits)")
        return cls(int(position), digest)


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What :meth:`EventStore.verify` found."""

    events: int
    last_position: int
    last_hash: str
    broken_position: int | None = None
    problem: str | None = None
    expected: str | None = None
    found: str | None = None
    hashes_at: dict[int, str] = field(default_factory=dict)  # the hash at each position asked for

    @property
    def ok(self) -> bool:
        return self.broken_position is None


def verify_rows(pages: Iterable[Sequence[Sequence[Any]]], *, marks: Sequence[int] = ()) -> VerifyReport:
    """Check raw rows (table column order), page by page, oldest first.

    Each row must sit at the next position, name the previous row's hash as
    ``prev_hash``, hash to its stored ``hash``, and not be recorded before the
    row before it. The first row failing any of these is reported. The hash at
    each position in ``marks`` is kept in ``hashes_at``.
    """
    wanted = set(marks)
    hashes_at: dict[int, str] = {0: codec.GENESIS_HASH} if 0 in wanted else {}
    chain = codec.chain_hash
    expected_position = 0
    prev_hash = codec.GENESIS_HASH
    last_recorded = 0
    count = 0
    for rows in pages:
        for row in rows:
            position = row[0]
            expected_position += 1

            def broken(problem: str, expected: str, found: str) -> VerifyReport:
                return VerifyReport(count, position, prev_hash, position, problem, expected, found)  # noqa: B023

            if position != expected_position:
                return broken(f"position {expected_position} is missing",
                              str(expected_position), str(position))
            if row[10] != prev_hash:
                return broken("prev_hash does not match the previous event's hash",
                              prev_hash, row[10])
            digest = chain(row[10], position, row[1], row[2], row[3], row[4], row[5], row[6],
                           row[7], row[8], row[9])
            if digest != row[11]:
                return broken("hash does not match the stored row", digest, row[11])
            if row[6] < last_recorded:
                return broken("recorded_at goes back in time", f">= {last_recorded}", str(row[6]))
            last_recorded = row[6]
            prev_hash = digest
            count += 1
            if position in wanted:
                hashes_at[position] = digest
    return VerifyReport(count, expected_position, prev_hash, hashes_at=hashes_at)


def check_head(report: VerifyReport, before: Head | None, after: Head | None, expect: Head | None) -> VerifyReport:
    """Hold an intact walk against the head recorded before and after it, and an expected head.

    The log must reach each head and have its hash there (else its tail was cut
    or rewritten), and must not go past the head recorded after the walk (else
    events were added without the store).
    """
    end = report.last_position

    def broken(at: int, problem: str, expected: str, found: str) -> VerifyReport:
        return replace(report, broken_position=at, problem=problem, expected=expected, found=found)

    for head, name in ((before, "head was"), (expect, "expected head is")):
        if head is None:
            continue
        if end < head.position:
            return broken(end + 1, f"log ends at {end}, {name} {head.position} (hash {head.hash[:16]})",
                          str(head), f"{end}:{report.last_hash}")
        found = report.hashes_at.get(head.position)
        if found != head.hash:
            whose = "the recorded head" if head is before else "the expected head"
            return broken(head.position, f"event {head.position} is not the one {whose} names",
                          head.hash, str(found))
    if after is not None and end > after.position:
        return broken(after.position + 1, f"log goes past its head {after.position}: "
                      "events were added without the event store", str(after), f"{end}:{report.last_hash}")
    return report
