"""The business transfer (S4), from the policy's `transfer:` section to the new owner's archive.

- announce: record the transfer the active policy names and tell every account holder in
  advance, by mail and in their privacy center: the date, the new owner, and what they may do
  before it (object, have their data erased), with links to those requests; each one told is
  recorded in `transfer_notices`.
- objections and erasures go through the rights requests that already exist: an objection
  (or a CCPA opt-out) made after the announcement, unless it names only marketing; an
  erasure asked and verified, done or still to run.
- run, on or after the date: the archive for the new owner's public key (archive.py),
  leaving out the people erased or erasing and, where the policy says so, those who objected;
  the transfer recorded (when, by whom, counts, digest) and audited.

Only an admin announces or runs a transfer (the `administration` duty), whatever the page
or command already checked. Nothing here names a person: ids and counts.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine, func, insert, or_, select
from sqlalchemy.orm import Session

from steward.access.gate import check_role
from steward.audit.service import record
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid, NotFound
from steward.core.settings import Settings
from steward.identity.models import Person
from steward.identity.policy_notices import mail_every_holder
from steward.policy.active import policy_of
from steward.policy.channels import way_in
from steward.policy.schema import Policy
from steward.policy.schema import Transfer as TransferSection
from steward.rights.models import RightsRequest
from steward.transfer import archive
from steward.transfer.models import Transfer, TransferNotice
from steward.vault.models import DataKey
from steward.vault.service import vault_of

DUTY = "administration"
OBJECTION_KINDS = ("objection", "ccpa_opt_out")
ERASURE_KINDS = ("erasure", "ccpa_delete")
TAKEN = ("open", "scheduled", "erasing", "done")  # verified and not refused or cancelled


def _admin(session: Session, actor: Actor, what: str) -> None:
    check_role(session, actor, what, DUTY)


def _section(policy: Policy) -> TransferSection:
    if policy.transfer is None:
        raise Invalid(
            "The active policy names no transfer: publish a version with a `transfer:` "
            "section first (steward policy publish)."
        )
    return policy.transfer


def current(session: Session) -> Transfer | None:
    """The newest transfer recorded, announced or done."""
    return session.scalar(select(Transfer).order_by(Transfer.announced_at.desc()).limit(1))


def request_kind(policy: Policy, right: str) -> str | None:
    """The request a person makes for a right before the transfer: the policy's own kind
    (objection or erasure, or their CCPA counterparts), None when it offers neither."""
    kinds = OBJECTION_KINDS if right == "objection" else ERASURE_KINDS
    for kind in kinds:
        offered = policy.rights.get(kind)  # type: ignore[call-overload]
        if offered is not None and offered.offered:
            return kind
    return None


# Telling people


@dataclass(frozen=True)
class Notice:
    """What an account holder is told, in their mail and privacy center."""

    transfer_id: str
    date: date
    new_controller: str
    address: str
    country: str
    privacy_contact: str
    rights: list[tuple[str, str, str]]  # (right, words, a path to ask at or how to ask)
    leave_out_objectors: bool
    told_at: datetime | None = None  # when this person was told, if they were

    def lines(self) -> list[str]:
        said = [
            f"On {self.date.isoformat()} our business passes to {self.new_controller}, "
            f"{self.address} ({self.country}). From that day it is the controller of your "
            "personal data.",
        ]
        for _, words, _ in self.rights:
            said.append(f"Before that day you may {words}.")
        if self.leave_out_objectors and any(r == "objection" for r, _, _ in self.rights):
            said.append("If you object, your data does not pass to the new owner.")
        said.append("If your data is erased before that day, nothing of it passes.")
        said.append(f"Privacy questions to the new owner: {self.privacy_contact}.")
        return said


def notice_of(policy: Policy, transfer: Transfer) -> Notice:
    section = _section(policy)
    rights: list[tuple[str, str, str]] = []
    for right in section.rights_before:
        kind = request_kind(policy, right)
        if kind is None:
            continue
        words = "object to the transfer" if right == "objection" else "have your data erased"
        rights.append((right, words, _how(policy, kind)))
    to = section.to
    return Notice(
        transfer.id,
        transfer.transfer_date,
        to.legal_name,
        to.address,
        to.country,
        to.privacy_contact,
        rights,
        transfer.leave_out_objectors,
    )


def _how(policy: Policy, kind: str) -> str:
    """Where a person makes the request: the privacy center's form (a path) when the policy
    takes it there, else the first way it names, in words ("Write to privacy@...")."""
    channels = policy.rights[kind].channels  # type: ignore[index]
    if "privacy_center" in channels:
        return f"/privacy/center/new?kind={kind}"
    return way_in(policy, channels[0])


def body_of(notice: Notice, public_url: str) -> str:
    base = public_url.rstrip("/")
    links = [
        f"To {words}: {base}{how}" if how.startswith("/") else f"To {words}: {how}."
        for _, words, how in notice.rights
    ]
    return "\n\n".join(
        [
            "\n".join(notice.lines()),
            "\n".join(links),
            f"Our privacy policy says more: {base}/privacy#transfer",
        ]
    )


def announce(session: Session, settings: Settings, actor: Actor) -> Transfer:
    """Record the transfer the active policy names and tell every active account holder."""
    _admin(session, actor, "announce a business transfer")
    policy = policy_of(session)
    section = _section(policy)
    if section.date <= clock.now().date():
        raise Invalid(f"The transfer date {section.date} has come: people must be told before it.")
    earlier = current(session)
    if earlier is not None and earlier.status == "announced":
        raise Conflict(
            f"A transfer to {earlier.new_controller} on {earlier.transfer_date} is announced "
            "already."
        )
    if earlier is not None and (earlier.new_controller, earlier.transfer_date) == (
        section.to.legal_name,
        section.date,
    ):
        raise Conflict(f"The transfer to {earlier.new_controller} was run already.")
    transfer = Transfer(
        policy_version=policy.version,
        new_controller=section.to.legal_name,
        transfer_date=section.date,
        status="announced",
        announced_at=clock.now(),
        announced_by=actor.account_id,
        leave_out_objectors=section.leave_out_objectors,
    )
    session.add(transfer)
    record(session, actor, "transfer_announced")
    session.commit()  # shown in the privacy centers before the first mail leaves
    notice = notice_of(policy, transfer)
    transfer_id = transfer.id

    def told(account_id: str, person_id: str, mailed: bool) -> None:
        session.execute(
            insert(TransferNotice).values(
                transfer_id=transfer_id,
                person_id=person_id,
                account_id=account_id,
                created_at=clock.now(),
                mailed=mailed,
            )
        )

    subject = f"Our business passes to {section.to.legal_name} on {section.date.isoformat()}"
    sent = mail_every_holder(
        session, settings, subject, body_of(notice, settings.public_url), "transfer", told
    )
    saved = session.get(Transfer, transfer_id)
    if saved is None:  # pragma: no cover - committed just above
        raise NotFound("The transfer was not recorded.")
    saved.told, saved.told_failed = sent.sent, sent.failed
    session.commit()
    return saved


def notice_for(session: Session, person_id: str | None) -> Notice | None:
    """The coming transfer as a person's privacy center shows it, while it is announced."""
    transfer = current(session)
    policy = policy_of(session)
    if transfer is None or transfer.status != "announced" or policy.transfer is None:
        return None
    notice = notice_of(policy, transfer)
    if person_id is None:
        return notice
    told_at = session.scalar(
        select(func.min(TransferNotice.created_at)).where(
            TransferNotice.transfer_id == transfer.id, TransferNotice.person_id == person_id
        )
    )
    return Notice(**{**notice.__dict__, "told_at": told_at})


# Who is left out


def objectors(session: Session, transfer: Transfer) -> set[str]:
    """People who objected after the announcement (an objection naming only marketing
    purposes is about marketing, not the transfer)."""
    rows = session.execute(
        select(RightsRequest.person_id, RightsRequest.purposes).where(
            RightsRequest.kind.in_(OBJECTION_KINDS),
            RightsRequest.status.in_(TAKEN),
            RightsRequest.verified_at.is_not(None),
            RightsRequest.person_id.is_not(None),
            RightsRequest.received_at >= transfer.announced_at,
        )
    ).all()
    found = set()
    for person_id, purposes in rows:
        named = json.loads(purposes) if purposes else []
        if not named or any(not str(p).startswith("marketing") for p in named):
            found.add(str(person_id))
    return found


def erased(session: Session) -> set[str]:
    """People erased (a tombstone, or their data key destroyed) or whose verified erasure is
    still to run: nothing of theirs may pass."""
    gone = select(Person.id).where(
        or_(
            Person.erased_at.is_not(None),
            Person.id.in_(select(DataKey.person_id).where(DataKey.shredded_at.is_not(None))),
        )
    )
    asked = select(RightsRequest.person_id).where(
        RightsRequest.kind.in_(ERASURE_KINDS),
        RightsRequest.status.in_(TAKEN),
        RightsRequest.verified_at.is_not(None),
        RightsRequest.person_id.is_not(None),
    )
    return {str(p) for p in session.scalars(gone)} | {str(p) for p in session.scalars(asked)}


# The status


@dataclass(frozen=True)
class Status:
    transfer: Transfer | None
    told: int
    objected: int
    erased: int
    due: bool  # the date has come and the archive is not made yet


def status(session: Session, actor: Actor) -> Status:
    _admin(session, actor, "see the business transfer")
    transfer = current(session)
    if transfer is None:
        return Status(None, 0, 0, 0, False)
    told = session.scalar(
        select(func.count())
        .select_from(TransferNotice)
        .where(TransferNotice.transfer_id == transfer.id)
    )
    left_objecting = objectors(session, transfer)
    gone = erased(session)
    due = transfer.status == "announced" and clock.now().date() >= transfer.transfer_date
    return Status(transfer, int(told or 0), len(left_objecting - gone), len(gone), due)


def told_people(session: Session, actor: Actor, limit: int = 100) -> list[TransferNotice]:
    """The newest people told of the current transfer (ids only)."""
    _admin(session, actor, "see the business transfer")
    transfer = current(session)
    if transfer is None:
        return []
    return list(
        session.scalars(
            select(TransferNotice)
            .where(TransferNotice.transfer_id == transfer.id)
            .order_by(TransferNotice.created_at.desc(), TransferNotice.id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Objection:
    reference: str
    kind: str
    person_id: str
    received_at: datetime
    counts: bool  # not about marketing alone: it keeps the person's data from passing


def objections(session: Session, actor: Actor, limit: int = 100) -> list[Objection]:
    """The objections made since the current transfer was announced, newest first."""
    _admin(session, actor, "see the business transfer")
    transfer = current(session)
    if transfer is None:
        return []
    rows = session.execute(
        select(
            RightsRequest.reference,
            RightsRequest.kind,
            RightsRequest.person_id,
            RightsRequest.received_at,
        )
        .where(
            RightsRequest.kind.in_(OBJECTION_KINDS),
            RightsRequest.status.in_(TAKEN),
            RightsRequest.verified_at.is_not(None),
            RightsRequest.person_id.is_not(None),
            RightsRequest.received_at >= transfer.announced_at,
        )
        .order_by(RightsRequest.received_at.desc())
        .limit(limit)
    ).all()
    counted = objectors(session, transfer)
    return [
        Objection(r.reference, r.kind, r.person_id, r.received_at, r.person_id in counted)
        for r in rows
    ]


def remind_when_due(session: Session, settings: Settings) -> int:
    """The worker's daily look: once the date of an announced transfer has come, mail every
    admin that it is theirs to run (only they hold the new owner's public key); returns how
    many were mailed."""
    transfer = current(session)
    if transfer is None or transfer.status != "announced":
        return 0
    if clock.now().date() < transfer.transfer_date:
        return 0
    base = settings.public_url.rstrip("/")
    subject = f"The transfer to {transfer.new_controller} is due"
    body = (
        f"The business passes to {transfer.new_controller} on "
        f"{transfer.transfer_date.isoformat()}: people can no longer object or have their "
        "data erased before it.\n\nWrite the new owner's archive with their public key: on "
        f"{base}/desk/transfer, or with `steward transfer run --by YOUR_EMAIL --public-key "
        "NEW_OWNER.pub`."
    )
    return mail_every_holder(session, settings, subject, body, "transfer", roles={"admin"}).sent


# The run


def run(
    session: Session,
    settings: Settings,
    actor: Actor,
    public_pem: bytes,
    path: Path | None = None,
) -> Transfer:
    """On or after the date: write the new owner's archive (to `path`, or the backup
    directory) and record the transfer as done."""
    _admin(session, actor, "run the business transfer")
    recipient = archive.load_public_key(public_pem)
    engine = session.get_bind()
    if not isinstance(engine, Engine):  # pragma: no cover - sessions are bound to engines
        raise Invalid("The transfer needs a session bound to the database engine.")
    transfer = current(session)
    if transfer is None:
        raise Conflict("No transfer is announced: announce it first, so people are told.")
    if transfer.status == "done":
        raise Conflict(f"The transfer to {transfer.new_controller} was run already.")
    today = clock.now().date()
    if today < transfer.transfer_date:
        raise Conflict(
            f"The transfer date is {transfer.transfer_date}: until then people may still "
            "object or have their data erased."
        )
    gone = erased(session)
    objecting = objectors(session, transfer) - gone if transfer.leave_out_objectors else set()
    if path is None:
        settings.backup_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = settings.backup_dir / f"transfer-{today.isoformat()}-{transfer.id[:8]}.archive"
    if path.exists():
        raise Conflict(f"{path} exists already: name another file.")
    try:
        written = archive.write(
            engine,
            vault_of(session).keyring,
            recipient,
            transfer.new_controller,
            gone | objecting,
            path,
            settings.files_dir,
        )
    except OSError as error:
        raise Invalid(f"cannot write {path}: {error.strerror}") from None
    transfer.status = "done"
    transfer.run_at = clock.now()
    transfer.run_by = actor.account_id
    transfer.recipient_key_id = archive.key_id(recipient)
    transfer.archive_name = path.name
    transfer.archive_sha256 = written.sha256
    transfer.people_included = written.people
    transfer.people_erased = len(gone)
    transfer.people_objected = len(objecting)
    transfer.rows = written.rows
    transfer.files = sum(written.files.values())
    transfer.tables = json.dumps(written.tables, sort_keys=True)
    record(session, actor, "transfer_run")
    session.commit()
    return transfer
