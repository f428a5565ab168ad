"""Verifying the audit trail with the key: every MAC and link, the signed checkpoints in the
database and the copies kept outside it.

The walk starts after the newest checkpoint in the database whose signature holds and whose
link the chain still has at its seq (or at seq 1 with
`from_start`), reads the chain joined to its entries in seq order, in batches of `batch`
(memory stays flat at any size), and stops at the first problem. Without the key nobody can
make a MAC or a link that holds, so a problem is told by what still holds around it:

- changed: the link holds with the entry's stored MAC, but its contents no longer give it.
- removed: a seq is missing; a chain row names an entry that is gone; or the next row's link
  holds one seq further on (the entry was dropped and the later ones renumbered).
- inserted: a chain row beyond the sequencer's head; the next row's link holds one seq back
  (an entry was slipped in and the later ones renumbered); an entry waiting in the queue
  whose MAC does not hold (the sequencer refused it); an entry neither linked nor queued.
- reordered: the link at a seq holds for another entry of the trail, or an entry's MAC holds
  only under another entry's id (rows or contents swapped).
- rewritten: neither the MAC nor the link holds and nothing above explains it: the trail
  was rewritten by someone without the key (after the checkpoint the walk started from).
- cut: the trail ends before the head, or before a checkpoint (in the database or outside)
  that signed a later seq; the outside copy tells even when the head and the database's
  checkpoints were moved back or deleted.
- checkpoint removed: a checkpoint of the outside copy is not in the database.
- checkpoint forged: a checkpoint (in either place) whose signature does not hold.

Messages name seqs and entry ids only, never an entry's contents.
"""

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from steward.audit.chain import (
    ZERO,
    audit_key,
    checkpoint_message,
    entry_mac,
    legacy_checkpoint_message,
    link,
    public_key,
    signature_holds,
)
from steward.audit.models import CHAIN, CHECKPOINTS, ENTRIES, HEAD, PENDING

WINDOW = 64  # how far either side a moved entry is looked for


@dataclass(frozen=True)
class Problem:
    seq: int  # the first seq where the trail breaks
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.seq}: {self.kind} ({self.detail})"


@dataclass(frozen=True)
class VerifyResult:
    entries: int  # entries linked in the chain: the seq of the newest
    checked: int  # entries whose MAC and link were recomputed by this run
    head_seq: int
    head_link: str
    from_checkpoint: int | None  # the seq of the checkpoint the walk started after
    problem: Problem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class Signed:
    """A checkpoint whose signature holds, and where it was found."""

    seq: int
    link: str
    signature: str
    where: str  # "checkpoint 3" or "line 3 of the outside copy"


def read_outside(path: Path | None) -> list[tuple[int, dict[str, Any] | None]]:
    """The outside copy's lines (number, parsed object or None when unreadable)."""
    if path is None or not path.exists():
        return []
    lines = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            parsed = json.loads(line)
            lines.append((number, parsed if isinstance(parsed, dict) else None))
        except ValueError:
            lines.append((number, None))
    return lines


def verify(
    session: Session,
    signing_seed: bytes,
    progress: Callable[[int, int], None] | None = None,
    *,
    outside: Path | None = None,
    from_start: bool = False,
    batch: int = 5000,
) -> VerifyResult:
    """Check the trail with the key file's signing seed and the outside copy at `outside`."""
    return _Walk(session, signing_seed, progress, batch).run(outside, from_start)


class _Walk:
    def __init__(
        self,
        session: Session,
        seed: bytes,
        progress: Callable[[int, int], None] | None,
        batch: int,
    ) -> None:
        self.session, self.progress, self.batch = session, progress, batch
        self.key, self.public = audit_key(seed), public_key(seed)
        self.problems: list[Problem] = []

    def run(self, outside: Path | None, from_start: bool) -> VerifyResult:
        head = self.session.execute(select(HEAD.c.seq, HEAD.c.link).where(HEAD.c.id == 1)).one()
        signed, start_seq, start_link = self.checkpoints(outside, head.seq, from_start)
        to_pass = {c.seq: c for c in signed if c.seq > start_seq}
        found = len(self.problems)
        end, end_link, checked = self.walk(start_seq, start_link, head.seq, to_pass)
        if len(self.problems) == found:  # the walk reached the end: does it end right?
            self.ends(end, end_link, head.seq, head.link, signed)
            self.unlinked(end)
        return VerifyResult(
            entries=end,
            checked=checked,
            head_seq=end,
            head_link=end_link,
            from_checkpoint=start_seq or None,
            problem=min(self.problems, key=lambda p: p.seq, default=None),
        )

    def checkpoints(
        self, outside: Path | None, head_seq: int, from_start: bool
    ) -> tuple[list[Signed], int, str]:
        """The checkpoints whose signature holds, and where the walk starts: after the newest
        one the chain still has (at the start with `from_start`). Database checkpoints are
        checked newest first and, without `from_start`, only down to that one (older ones
        vouch for entries the walk trusts anyway), so a verify costs the same after years of
        checkpoints. A forged checkpoint, or an outside one the database lacks, is a problem."""
        rows = self.session.execute(
            select(CHECKPOINTS).order_by(CHECKPOINTS.c.seq.desc(), CHECKPOINTS.c.id.desc())
        ).all()
        in_db = {(c.seq, c.link, c.signature) for c in rows if c.scheme == 2}
        signed: list[Signed] = []
        for number, line in read_outside(outside):
            where = f"line {number} of the outside copy"
            found = _outside_checkpoint(line)
            if found is not None and (found[0], found[1], found[3]) in in_db:
                continue  # the same checkpoint as one in the database, checked there
            if found is None or not signature_holds(
                self.public, checkpoint_message(*found[:3]), found[3]
            ):
                self.forged(found[0] if found else 0, where)
                continue
            seq = found[0]
            signed.append(Signed(seq, found[1], found[3], where))
            self.problems.append(
                Problem(
                    seq,
                    "checkpoint removed",
                    f"the checkpoint of seq {seq} on {where} is not in the database",
                )
            )
        start_seq, start_link = 0, ZERO
        for c in rows:
            if start_seq and not from_start:
                break
            legacy = c.scheme == 1  # checked against its trail when that was linked
            message = (legacy_checkpoint_message if legacy else checkpoint_message)(
                c.seq, c.link, c.at
            )
            if not signature_holds(self.public, message, c.signature):
                self.forged(c.seq, f"checkpoint {c.id}")
            elif not legacy:
                signed.append(Signed(c.seq, c.link, c.signature, f"checkpoint {c.id}"))
                if not from_start and c.seq <= head_seq and self.link_at(c.seq) == c.link:
                    start_seq, start_link = c.seq, c.link
        return signed, start_seq, start_link

    def forged(self, seq: int, where: str) -> None:
        self.problems.append(
            Problem(seq, "checkpoint forged", f"the signature of {where} does not hold")
        )

    def link_at(self, seq: int) -> str | None:
        query = select(CHAIN.c.link).where(CHAIN.c.seq == seq)
        return self.session.execute(query).scalar_one_or_none()

    def rows(self, after: int, limit: int, until: int | None = None) -> list[Row[Any]]:
        query = (
            select(CHAIN.c.seq, CHAIN.c.entry_id, CHAIN.c.link, *ENTRIES.c)
            .select_from(CHAIN.outerjoin(ENTRIES, ENTRIES.c.id == CHAIN.c.entry_id))
            .where(CHAIN.c.seq > after)
            .order_by(CHAIN.c.seq)
            .limit(limit)
        )
        if until is not None:
            query = query.where(CHAIN.c.seq <= until)
        return list(self.session.execute(query))

    def walk(
        self, seq: int, previous: str, head_seq: int, to_pass: dict[int, Signed]
    ) -> tuple[int, str, int]:
        total, checked = max(head_seq - seq, 0), 0
        while True:
            rows = self.rows(seq, self.batch)
            if not rows:
                return seq, previous, checked
            for r in rows:
                problem = self.check(r, seq, previous, head_seq)
                if problem is None and r.seq in to_pass and to_pass[r.seq].link != r.link:
                    where = to_pass[r.seq].where
                    problem = Problem(r.seq, "rewritten", f"it no longer matches {where}")
                if problem is not None:
                    self.problems.append(problem)
                    return seq, previous, checked
                seq, previous, checked = r.seq, r.link, checked + 1
            if self.progress is not None:
                self.progress(checked, max(total, checked))

    def check(self, r: Any, prev_seq: int, previous: str, head_seq: int) -> Problem | None:
        s, entry_id = r.seq, r.entry_id
        if s != prev_seq + 1:
            gap = f"seq {prev_seq + 1}" if s == prev_seq + 2 else f"seqs {prev_seq + 1}-{s - 1}"
            return Problem(prev_seq + 1, "removed", f"{gap} missing before seq {s}")
        if r.id is None:
            return Problem(s, "removed", f"entry {entry_id} linked at seq {s} is gone")
        fields = r._mapping
        computed = entry_mac(self.key, fields)
        if r.link == link(self.key, previous, s, entry_id, computed):
            if r.mac is not None and r.mac != computed:
                return Problem(s, "changed", f"the stored MAC of entry {entry_id} was edited")
            if r.mac is None and r.legacy_hash is None:
                return Problem(s, "changed", f"the stored MAC of entry {entry_id} was removed")
            return None
        if r.mac is not None and r.link == link(self.key, previous, s, entry_id, r.mac):
            return Problem(s, "changed", f"entry {entry_id} was edited after it was written")
        if s > head_seq:
            return Problem(s, "inserted", f"seq {s} lies beyond the head the sequencer moved")
        return (
            self.moved(r, previous, computed)
            or self.renumbered(r, previous)
            or Problem(
                s,
                "rewritten",
                f"neither the MAC of entry {entry_id} nor the link at seq {s} holds "
                "under the key: rewritten without it",
            )
        )

    def moved(self, r: Any, previous: str, computed: str) -> Problem | None:
        """The link at this seq holds for an entry now elsewhere, or this entry's MAC holds
        only under another entry's id: rows or contents were swapped."""
        s, entry_id = r.seq, r.entry_id
        for other in self.rows(max(s - WINDOW, 0), 2 * WINDOW + 1, s + WINDOW):
            if other.id is None or other.entry_id == entry_id:
                continue
            other_mac = entry_mac(self.key, other._mapping)
            if r.link == link(self.key, previous, s, other.entry_id, other_mac):
                return Problem(
                    s,
                    "reordered",
                    f"seq {s} holds entry {entry_id}; entry {other.entry_id} was linked there",
                )
            if r.mac is not None and r.mac == entry_mac(self.key, r._mapping, other.entry_id):
                return Problem(
                    s,
                    "reordered",
                    f"entry {entry_id} holds what was written as entry {other.entry_id}",
                )
        return None

    def renumbered(self, r: Any, previous: str) -> Problem | None:
        """The next row's link holds one seq back (an entry slipped in) or one seq on (an
        entry dropped), from the link before this row or this row's own."""
        s = r.seq
        following = self.rows(s, 1)
        if not following or following[0].id is None:
            return None
        n = following[0]
        mac = entry_mac(self.key, n._mapping)
        if n.link == link(self.key, previous, s, n.entry_id, mac):
            return Problem(
                s,
                "inserted",
                f"entry {r.entry_id} at seq {s} was not linked by the sequencer; "
                "the entries after it were renumbered",
            )
        if n.link == link(self.key, r.link, s + 2, n.entry_id, mac):
            return Problem(
                s, "removed", f"the entry linked at seq {s} is gone; later ones were renumbered"
            )
        return None

    def ends(
        self, end: int, end_link: str, head_seq: int, head_link: str, signed: Iterable[Signed]
    ) -> None:
        """The trail must reach the head and every signed checkpoint."""
        if end < head_seq:
            self.problems.append(
                Problem(end + 1, "cut", f"seqs {end + 1}-{head_seq} are missing from the end")
            )
        elif end == head_seq and end_link != head_link and end > 0:
            self.problems.append(Problem(end, "changed", f"the head does not match seq {end}"))
        for c in sorted(signed, key=lambda c: c.seq):
            if c.seq > end:
                self.problems.append(
                    Problem(
                        end + 1,
                        "cut",
                        f"{c.where} signed seq {c.seq}, but the trail ends at seq {end}",
                    )
                )

    def unlinked(self, end: int) -> None:
        """Every entry is linked, or queued with a MAC that holds."""
        queued = self.session.execute(
            select(ENTRIES).join(PENDING, PENDING.c.entry_id == ENTRIES.c.id).order_by(ENTRIES.c.id)
        )
        for row in queued:
            if row.mac is None and row.legacy_hash is not None:
                self.problems.append(
                    Problem(
                        end + 1,
                        "changed",
                        f"entry {row.id} of before migration 0016 waits: its unkeyed chain, "
                        "head or checkpoints do not verify",
                    )
                )
                return
            if row.mac is None or row.mac != entry_mac(self.key, row._mapping):
                self.problems.append(
                    Problem(
                        end + 1,
                        "inserted",
                        f"entry {row.id} waits to be linked, but its MAC does not hold",
                    )
                )
                return
        entries = self.session.execute(select(func.count()).select_from(ENTRIES)).scalar_one()
        linked = self.session.execute(select(func.count()).select_from(CHAIN)).scalar_one()
        waiting = self.session.execute(select(func.count()).select_from(PENDING)).scalar_one()
        if entries > linked + waiting:
            stray = self.session.execute(
                select(ENTRIES.c.id)
                .where(~ENTRIES.c.id.in_(select(CHAIN.c.entry_id)))
                .where(~ENTRIES.c.id.in_(select(PENDING.c.entry_id)))
                .order_by(ENTRIES.c.id)
                .limit(1)
            ).scalar_one()
            self.problems.append(
                Problem(end + 1, "inserted", f"entry {stray} is neither linked nor queued")
            )


def _outside_checkpoint(line: Mapping[str, Any] | None) -> tuple[int, str, datetime, str] | None:
    if line is None:
        return None
    try:
        return (
            int(line["seq"]),
            str(line["link"]),
            datetime.fromisoformat(str(line["at"])),
            str(line["signature"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
