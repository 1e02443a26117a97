"""Walk the log's rows and check positions, clocks and the SHA-256 hash chain."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tracker.eventlog import codec


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

    @property
    def ok(self) -> bool:
        return self.broken_position is None


def verify_rows(pages: Iterable[Sequence[Sequence[Any]]]) -> VerifyReport:
    """Check raw rows (table column order), page by page, oldest first.

    Each row must sit at the next position, name the previous row's hash as
    ``prev_hash``, hash to its stored ``hash``, and not be recorded before the
    row before it. The first row failing any of these is reported.
    """
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
    return VerifyReport(count, expected_position, prev_hash)
