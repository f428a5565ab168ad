"""Verifying the audit trail: recompute every hash and link, check every checkpoint.

The walk starts after the newest checkpoint whose signature holds and whose entry still
hashes to what was signed (or at entry 1 with `from_start`), reads entries in seq order in
batches of `batch` (memory stays flat at any size) and stops at the first problem. Each
entry carries `seq`, the hash of its own contents (`hash`, which covers `seq`) and the hash
of the entry written just before it (`prev_hash`). The problems, and how each is told:

- removed: the next seq is not the previous one plus 1 (a gap); or the trail ends before
  the seq the audit head (moved by every append) or a signed checkpoint names; or an entry
  that no longer matches its hash links to an entry found nowhere in the table (the entry
  before it was deleted and the later ones renumbered).
- changed: an entry's contents no longer hash to its `hash`, and they do not hash to it
  under any other position either (an edit; `prev_hash` edits are named as such); or an
  entry is self-consistent but the entry before it is not the one it was written after and
  that one is nowhere (the previous entry was rewritten with a recomputed hash); or an entry
  no longer matches a signed checkpoint (the trail was rewritten, hashes and all, after it
  was signed); or the newest entry does not match the audit head.
- reordered: an entry's contents hash correctly only under another seq (tried: one after
  the entry its `prev_hash` names, one before the entry whose `prev_hash` names it, the
  head's seq): it was moved, e.g. two rows swapped; or a self-consistent entry was written
  after an entry that now comes later.
- inserted: an entry beyond the audit head (written behind Steward's back, which never
  appends without moving the head in the same transaction); or an entry was written right
  after an entry that now lies further back (its contents hash under that position + 1, or
  hash as they are), so the entries between were slipped in, later ones renumbered to make
  room. The report names the first of them.
- checkpoint: a checkpoint whose signature does not hold with the installation's key.

The hash is unkeyed, so whoever can write to the database can append forged entries and
move the head too; only entries up to the newest checkpoint are bound by a signature.
Locating an entry by hash scans the table, but only once a problem has been found.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.audit.chain import ZERO, checkpoint_message, entry_hash, public_key, signature_holds
from steward.audit.models import CHECKPOINTS, ENTRIES, AuditHead


@dataclass(frozen=True)
class Problem:
    seq: int  # the entry (or, for "removed", the first missing seq) where the trail breaks
    kind: str  # changed | removed | inserted | reordered | checkpoint
    detail: str

    def __str__(self) -> str:
        return f"{self.seq}: {self.kind} ({self.detail})"


@dataclass(frozen=True)
class VerifyResult:
    entries: int  # entries in the trail: the seq of the newest
    checked: int  # entries whose hash and link were recomputed by this run
    head_seq: int
    head_hash: str
    from_checkpoint: int | None  # the seq of the checkpoint the walk started after
    problem: Problem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify(
    session: Session,
    key: bytes | Ed25519PublicKey,
    progress: Callable[[int, int], None] | None = None,
    *,
    from_start: bool = False,
    batch: int = 5000,
) -> VerifyResult:
    """Check the trail; `key` is the Ed25519 public key or the 32-byte signing seed."""
    return _Walk(session, public_key(key), progress, batch).run(from_start)


class _Walk:
    def __init__(
        self,
        session: Session,
        key: Ed25519PublicKey,
        progress: Callable[[int, int], None] | None,
        batch: int,
    ) -> None:
        self.session, self.key, self.progress, self.batch = session, key, progress, batch
        self.problems: list[Problem] = []
        self.pending: dict[int, list[Any]] = {}  # signed checkpoints the walk must pass

    def head(self) -> tuple[int, str]:
        row = self.session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1))
        found = row.one_or_none()
        return (found.seq, found.hash) if found is not None else (0, ZERO)

    def run(self, from_start: bool) -> VerifyResult:
        head_seq, _ = self.head()
        start_seq, start_hash = self.checkpoints(from_start)
        last_seq, last_hash, checked = self.walk(start_seq, start_hash, head_seq)
        if not self.problems or min(p.seq for p in self.problems) > last_seq:
            self.ends(last_seq, last_hash)
        head_seq, _ = self.head()
        problem = min(self.problems, key=lambda p: p.seq, default=None)
        return VerifyResult(
            entries=max(head_seq, last_seq),
            checked=checked,
            head_seq=last_seq,
            head_hash=last_hash,
            from_checkpoint=start_seq or None,
            problem=problem,
        )

    def checkpoints(self, from_start: bool) -> tuple[int, str]:
        """Check every signature, newest first; return where the walk starts."""
        start: tuple[int, str] | None = None
        after: tuple[int, int] | None = None
        while True:
            query = select(CHECKPOINTS).order_by(CHECKPOINTS.c.seq.desc(), CHECKPOINTS.c.id.desc())
            if after is not None:
                seq, id_ = after
                query = query.where(
                    (CHECKPOINTS.c.seq < seq)
                    | ((CHECKPOINTS.c.seq == seq) & (CHECKPOINTS.c.id < id_))
                )
            rows = self.session.execute(query.limit(500)).all()
            if not rows:
                return start or (0, ZERO)
            for c in rows:
                after = (c.seq, c.id)
                message = checkpoint_message(c.seq, c.head_hash, c.at)
                if not signature_holds(self.key, message, c.signature):
                    self.problems.append(
                        Problem(
                            c.seq,
                            "checkpoint",
                            f"checkpoint {c.id} is altered or forged: its signature does not hold",
                        )
                    )
                elif not from_start and start is None and self.matches(c):
                    start = (c.seq, c.head_hash)  # the newest good one; older ones are behind it
                elif start is None:
                    self.pending.setdefault(c.seq, []).append(c)  # the walk must pass it

    def matches(self, c: Any) -> bool:
        row = self.session.execute(select(ENTRIES).where(ENTRIES.c.seq == c.seq)).one_or_none()
        return row is not None and row.hash == c.head_hash == entry_hash(row._mapping)

    def walk(self, seq: int, hash_: str, head_seq: int) -> tuple[int, str, int]:
        start, checked, total = seq, 0, max(head_seq - seq, 0)
        while not self.problems or min(p.seq for p in self.problems) > seq:
            query = select(ENTRIES).where(ENTRIES.c.seq > seq).order_by(ENTRIES.c.seq)
            rows = self.session.execute(query.limit(self.batch)).all()
            if not rows:
                break
            for r in rows:
                if r.seq > head_seq:
                    head_seq = self.head()[0]
                    total = max(head_seq - start, total)
                problem = self.check(r._mapping, seq, hash_, start, head_seq)
                if problem is not None:
                    self.problems.append(problem)
                    return seq, hash_, checked
                seq, hash_, checked = r.seq, r.hash, checked + 1
            if self.progress is not None:
                self.progress(checked, total)
        return seq, hash_, checked

    def check(
        self, r: Mapping[Any, Any], prev_seq: int, prev_hash: str, start: int, head_seq: int
    ) -> Problem | None:
        s = r["seq"]
        if s > head_seq:
            return Problem(s, "inserted", "it lies beyond the audit head: not appended by Steward")
        if s != prev_seq + 1:
            gap = (
                f"entry {prev_seq + 1}" if s == prev_seq + 2 else f"entries {prev_seq + 1}-{s - 1}"
            )
            return Problem(prev_seq + 1, "removed", f"{gap} missing before entry {s}")
        content_ok = entry_hash(r) == r["hash"]
        link_ok = r["prev_hash"] == prev_hash
        if content_ok and link_ok:
            for c in self.pending.pop(s, []):
                if c.head_hash != r["hash"]:
                    return Problem(
                        s,
                        "changed",
                        f"it no longer matches signed checkpoint {c.id}: "
                        "the trail was rewritten after it was signed",
                    )
            return None
        if content_ok:
            return self.misplaced(r, prev_seq, start)
        if not link_ok and entry_hash(r, prev_hash=prev_hash) == r["hash"]:
            return Problem(s, "changed", "its prev_hash was edited")
        moved = self.written_as(r)
        if moved is not None:
            if moved < s and self.position(r["prev_hash"]) == moved - 1:
                what = f"entries {moved}-{s - 1}" if s - moved > 1 else f"entry {moved}"
                return Problem(
                    moved,
                    "inserted",
                    f"{what} slipped in: entry {s} was written "
                    f"as {moved}, right after entry {moved - 1}",
                )
            return Problem(s, "reordered", f"it holds the entry written as entry {moved}")
        if not link_ok and self.position(r["prev_hash"]) is None:
            return Problem(
                s,
                "removed",
                "the entry written before it is gone and the later entries were renumbered",
            )
        return Problem(s, "changed", "its contents no longer match its hash")

    def misplaced(self, r: Mapping[Any, Any], prev_seq: int, start: int) -> Problem:
        """A self-consistent entry that does not follow the entry before it."""
        s, written_after = r["seq"], self.position(r["prev_hash"])
        if written_after is None:
            if prev_seq == start:  # the entry before is vouched for: this one was forged
                return Problem(s, "changed", "rewritten with a recomputed hash")
            return Problem(
                prev_seq,
                "changed",
                f"rewritten with a recomputed hash: entry {s} was written after a different entry",
            )
        if written_after < prev_seq:
            return Problem(
                written_after + 1,
                "inserted",
                f"entry {s} was written right after entry {written_after}",
            )
        return Problem(s, "reordered", f"it was written after entry {written_after}")

    def position(self, hash_: str) -> int | None:
        """The seq of the entry with this hash (0 for the genesis value), or None."""
        if hash_ == ZERO:
            return 0
        query = select(ENTRIES.c.seq).where(ENTRIES.c.hash == hash_).limit(1)
        return self.session.execute(query).scalar_one_or_none()

    def written_as(self, r: Mapping[Any, Any]) -> int | None:
        """Another seq under which this entry's contents hash to its `hash`, if any."""
        candidates: list[int] = []
        before = self.position(r["prev_hash"])
        if before is not None:
            candidates.append(before + 1)
        query = select(ENTRIES.c.seq).where(ENTRIES.c.prev_hash == r["hash"]).limit(1)
        after = self.session.execute(query).scalar_one_or_none()
        if after is not None:
            candidates.append(after - 1)
        head_seq, head_hash = self.head()
        if head_hash == r["hash"]:
            candidates.append(head_seq)
        for seq in candidates:
            if seq not in (r["seq"], 0) and entry_hash(r, seq=seq) == r["hash"]:
                return seq
        return None

    def ends(self, last_seq: int, last_hash: str) -> None:
        """The trail must reach the head and every signed checkpoint."""
        head_seq, head_hash = self.head()
        if last_seq < head_seq:
            self.problems.append(
                Problem(
                    last_seq + 1,
                    "removed",
                    f"entries {last_seq + 1}-{head_seq} are missing from the end of the trail",
                )
            )
        elif last_seq == head_seq and last_hash != head_hash and last_seq > 0:
            self.problems.append(Problem(last_seq, "changed", "it does not match the audit head"))
        for seq in sorted(s for s in self.pending if s > last_seq):
            ids = ", ".join(str(c.id) for c in self.pending[seq])
            self.problems.append(
                Problem(
                    last_seq + 1,
                    "removed",
                    f"checkpoint {ids} signed entry {seq}, but the trail ends at entry {last_seq}",
                )
            )
