"""Rights in the customer's own pages (`portal`, `account_settings`): which rights the policy
offers there and the other ways it names for the rest, asking through the same intake as the
privacy center, the exports ready to download, and closing the account with its data (R3).

Closing with deletion asks the password again, opens an erasure request through the intake
(verified by that password or the session, as the policy says), closes the account and, unless
a legal hold touches the person's data, schedules the erasure at once after the policy's grace
period, without waiting for the officer: the engine keeps what the law requires by itself, and a
hold is the one thing the officer must weigh first. A link mailed to the person cancels it during
the grace (their account is closed, so they cannot sign in to do it); cancelling reopens the
account. `steward rights run` (and the worker) then erases as for any approved erasure.

`RightIn` is what the person asks in their account, the API's body and the portal's form alike.
"""

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.gate import RIGHTS, check
from steward.audit.service import record
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid, NotFound
from steward.core.settings import Settings
from steward.identity import closing, passwords, tokens
from steward.identity.common import (
    actor_of,
    load_account,
    local_for,
    mail_quietly,
    security_event,
    state_of,
)
from steward.identity.errors import NotSignedIn
from steward.identity.models import Account, OneTimeToken
from steward.policy.active import policy_of
from steward.policy.plain import kept_for
from steward.policy.schema import Policy
from steward.rights import erasure, held, intake
from steward.rights.common import Short, event, get_request
from steward.rights.export import ACCESS_KINDS, FILES
from steward.rights.models import RequestFile, RightsRequest
from steward.vault import files

SELF_CHANNELS = ("portal", "account_settings")
DOWNLOAD_KINDS = (*ACCESS_KINDS, "portability")
CORRECT_KINDS = ("rectification", "ccpa_correct")
CANCEL = "cancel_erasure"  # the one-time link's purpose
NAMES = {
    "access": "Download a copy of your data",
    "portability": "Download your data in a portable file",
    "ccpa_know": "Know what we hold about you (California)",
    "rectification": "Correct your details",
    "ccpa_correct": "Correct your details (California)",
    "erasure": "Delete your data",
    "ccpa_delete": "Delete your data (California)",
    "restriction": "Restrict how we use your data",
    "objection": "Object to how we use your data",
    "consent_withdrawal": "Withdraw your consent",
    "ccpa_opt_out": "Opt out of the sale or sharing of your data (California)",
    "ccpa_limit": "Limit the use of your sensitive data (California)",
}


class RightIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(max_length=20)
    password: Annotated[str, Field(max_length=1000)] | None = None
    details: Annotated[str, Field(max_length=5000)] | None = None
    purposes: list[Short] = Field(default_factory=list, max_length=20)
    corrections: dict[Annotated[str, Field(max_length=20)], Short] = Field(
        default_factory=dict, max_length=4
    )


@dataclass(frozen=True)
class Offer:
    kind: str
    name: str
    channel: str | None  # portal or account_settings when it can be asked here, else None
    password: bool  # the policy asks for the password again
    other_ways: list[str] = field(default_factory=list)  # in plain words


def _ways(policy: Policy, channels: list[str]) -> list[str]:
    """The policy's other channels for a right, as a person reads them."""
    found = []
    controller = policy.controller
    for channel in channels:
        if channel == "privacy_center":
            found.append("use the privacy center at /privacy/center")
        elif channel == "email":
            found.append(f"write to {controller.privacy_contact}")
        elif channel == "post":
            address = ", ".join(line.strip() for line in controller.address.splitlines())
            found.append(f"write to us by post at {address}")
        elif channel == "phone":
            found.append(f"call us on {controller.phone}" if controller.phone else "call us")
        elif channel == "in_person":
            found.append("ask us in person")
    return found


def offers(policy: Policy) -> list[Offer]:
    """Every right the policy offers, each either here or with its other ways."""
    found = []
    for kind, right in policy.rights.items():
        if right is None or not right.offered:
            continue
        here = next((c for c in SELF_CHANNELS if c in right.channels), None)
        password = "session" not in right.verification and "password" in right.verification
        others = _ways(policy, [c for c in right.channels if c not in SELF_CHANNELS])
        found.append(Offer(kind, NAMES.get(kind, kind), here, password, others))
    return found


def offer(policy: Policy, kinds: tuple[str, ...]) -> Offer | None:
    """The first of `kinds` offered here, else the first offered at all."""
    found = {o.kind: o for o in offers(policy) if o.kind in kinds}
    here = [found[k] for k in kinds if k in found and found[k].channel]
    return here[0] if here else next((found[k] for k in kinds if k in found), None)


def ask(
    session: Session,
    settings: Settings,
    actor: Actor,
    kind: str,
    *,
    password: str | None = None,
    purposes: list[str] | None = None,
    corrections: dict[str, str] | None = None,
    details: str | None = None,
) -> intake.Opened:
    """Ask for a right about oneself where the policy offers it in the portal or the account
    settings; the intake verifies it by the session or the password, as the policy says."""
    if actor.person_id is None or actor.account_id is None:
        raise NotSignedIn("Sign in first.")
    found = next((o for o in offers(policy_of(session)) if o.kind == kind), None)
    if found is None:
        raise Invalid("The policy does not offer this right.")
    if found.channel is None:
        ways = " or ".join(found.other_ways) or "contact us"
        raise Invalid(f"This request is not made here: {ways}.")
    new = intake.NewRequest(
        kind=kind,
        channel=found.channel,
        password=password or None,
        purposes=list(purposes or []),
        corrections=dict(corrections or {}),
        details=details,
    )
    return intake.open_request(session, settings, actor, new)


# Downloads


@dataclass(frozen=True)
class Download:
    id: str
    reference: str
    kind: str
    expires_at: datetime


def downloads(session: Session, actor: Actor) -> list[Download]:
    """The person's exports that can still be downloaded, newest first."""
    if actor.person_id is None:
        return []
    rows = session.execute(
        select(RequestFile.id, RightsRequest.reference, RightsRequest.kind, RequestFile.expires_at)
        .join(RightsRequest, RightsRequest.id == RequestFile.request_id)
        .where(
            RightsRequest.person_id == actor.person_id,
            RequestFile.kind.in_(("export", "portable")),
            RequestFile.expires_at > clock.now(),
        )
        .order_by(RequestFile.created_at.desc())
    ).all()
    return [Download(r.id, r.reference, r.kind, r.expires_at) for r in rows]


def download(
    session: Session, settings: Settings, actor: Actor, file_id: str
) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of one of the person's own exports, until it expires;
    anyone else's is "not found". Audited as the person's download."""
    row = session.get(RequestFile, file_id)
    request = session.get(RightsRequest, row.request_id) if row is not None else None
    if (
        row is None
        or request is None
        or actor.person_id is None
        or request.person_id != actor.person_id
        or row.kind not in ("export", "portable")
        or row.expires_at is None
        or row.expires_at <= clock.now()
    ):
        raise NotFound("There is no such download, or it has expired.")
    check(session, actor, RIGHTS, state_of(session, actor.person_id), ["user"], action="download")
    data = files.load(session, settings.files_dir, FILES, row.id, row.request_id)
    row.downloaded_at = row.downloaded_at or clock.now()
    name = f"{request.reference}.{'json' if row.kind == 'portable' else 'zip'}"
    content_type = row.content_type
    session.commit()
    return name, content_type, data


# Closing with deletion


@dataclass(frozen=True)
class KeptItem:
    name: str
    reason: str
    words: str  # "7 years after your account is closed"
    until: date | None


@dataclass(frozen=True)
class ErasurePreview:
    offer: Offer | None  # erasure or ccpa_delete, here or elsewhere; None when not offered
    erased: list[str]  # category names
    kept: list[KeptItem]
    held: bool  # a legal hold touches the person's data: the officer reviews first
    grace: str  # "7 days"


def erasure_preview(session: Session, actor: Actor) -> ErasurePreview:
    """What deleting the person's data would erase and what the law keeps, until when."""
    if actor.person_id is None:
        raise NotSignedIn("Sign in first.")
    policy = policy_of(session)
    found = erasure.person_preview(session, "", actor.person_id)
    names = {key: category.name for key, category in policy.categories.items()}
    kept = [
        KeptItem(
            k.name,
            k.reason,
            kept_for(policy.categories[k.category].retention),
            k.until.date() if k.until else None,
        )
        for k in found.kept
        if k.rows  # nothing of it is held: nothing to keep
    ]
    return ErasurePreview(
        offer(policy, erasure.ERASURE_KINDS),
        sorted({names.get(key, key) for key in found.erased}),
        kept,
        bool(found.holds),
        policy.requests.erasure_grace.words(),
    )


@dataclass(frozen=True)
class Scheduled:
    reference: str
    scheduled_for: datetime | None  # None while the officer reviews it (a legal hold)
    closed_at: datetime
    mailed: bool


def close_and_erase(session: Session, settings: Settings, actor: Actor, password: str) -> Scheduled:
    """Close the account and delete its data (R3), with the password again. A wrong password
    changes nothing."""
    policy = policy_of(session)
    found = offer(policy, erasure.ERASURE_KINDS)
    if found is None or found.channel is None:
        raise Invalid("Deleting your data is not offered here; you can still close your account.")
    account = load_account(session, Account.id == actor.account_id)
    if account is None or actor.person_id is None:
        raise NotSignedIn("Sign in first.")
    if len(password) > 1000 or not passwords.verify(account.password_hash, password):
        security_event(session, actor, "close_password_failed", actor.person_id)
        session.commit()
        raise Invalid("The password is wrong.")
    opened = intake.open_request(
        session,
        settings,
        actor,
        intake.NewRequest(kind=found.kind, channel=found.channel, password=password),
    )
    request = get_request(session, opened.id)
    holds = held.person_held(session, policy, actor.person_id)
    if request.status == "open" and not holds:
        _schedule(session, policy, actor, request)
    when = request.scheduled_for
    closed = closing.close_own(session, actor)
    token = _cancel_link(session, account, when or policy.requests.erasure_grace.after(clock.now()))
    reference = request.reference
    session.commit()
    mailed = _tell(session, settings, closed, reference, when, token)
    return Scheduled(reference, when, closed.closed_at, mailed)


def _schedule(session: Session, policy: Policy, actor: Actor, request: RightsRequest) -> None:
    """As the officer's approval does: after the grace, always before the deadline."""
    now = clock.now()
    grace_ends = policy.requests.erasure_grace.after(now)
    request.scheduled_for = max(now, min(grace_ends, request.due_at - timedelta(days=1)))
    request.status = "scheduled"
    event(session, request, "erasure_scheduled", actor, note="self-service")


def _cancel_link(session: Session, account: Account, until: datetime) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        OneTimeToken(
            id=tokens.digest(token),
            purpose=CANCEL,
            account_id=account.id,
            person_id=account.person_id,
            created_at=clock.now(),
            expires_at=until,
        )
    )
    return token


def _tell(
    session: Session,
    settings: Settings,
    closed: closing.Closed,
    reference: str,
    when: datetime | None,
    token: str,
) -> bool:
    if closed.address is None:
        return False
    link = f"{settings.public_url.rstrip('/')}/account/cancel-erasure?token={token}"
    if when is not None:
        first = (
            f"Your account is closed, and we will erase your data on "
            f"{local_for(session, closed.person_id).day(when)} "
            f"(request {reference})."
        )
    else:
        first = (
            f"Your account is closed. Our privacy officer reviews your erasure request "
            f"{reference} first, because some of your data is under a legal hold; we will tell "
            "you when it is done."
        )
    kept = erasure_kept_lines(session, closed.person_id)
    lines = [first, ""]
    if kept:
        lines += ["The law requires us to keep, sealed and used for nothing else:", *kept, ""]
    lines += [
        "Changed your mind? Until then, follow this link to cancel the erasure and reopen "
        f"your account:\n{link}",
    ]
    return mail_quietly(
        session, settings, closed.address, "Your account is closed", "\n".join(lines)
    )


def erasure_kept_lines(session: Session, person_id: str) -> list[str]:
    actor = Actor(role="customer", person_id=person_id)
    lines = []
    for item in erasure_preview(session, actor).kept:
        until = f" (until {item.until.day} {item.until:%B %Y})" if item.until else ""
        lines.append(f"- {item.name}: {item.words}{until}. {item.reason}")
    return lines


# Cancelling by the mailed link


def cancel_pending(session: Session, token: str) -> RightsRequest | None:
    """The erasure the link would cancel (None when there is none left to cancel)."""
    row = tokens.peek(session, token, CANCEL)
    return _pending(session, row.person_id)


def _pending(session: Session, person_id: str) -> RightsRequest | None:
    return session.scalar(
        select(RightsRequest)
        .where(
            RightsRequest.person_id == person_id,
            RightsRequest.kind.in_(erasure.ERASURE_KINDS),
            RightsRequest.status.in_(("unverified", "open", "scheduled")),
        )
        .order_by(RightsRequest.received_at.desc())
        .limit(1)
    )


def cancel(session: Session, settings: Settings, token: str) -> None:
    """Follow the mailed link during the grace: the erasure is cancelled and the account is
    open again. Commits."""
    row = tokens.consume(session, token, CANCEL)
    request = _pending(session, row.person_id)
    if request is None:
        raise Conflict("The erasure has already started or is done: it cannot be cancelled.")
    account = load_account(session, Account.id == row.account_id)
    if account is None:
        raise NotFound("There is no such account.")
    person = actor_of(account)
    closing.reopen(session, account)
    account.status = "active"
    record(session, person, "account_reopened", purpose=RIGHTS, person_id=account.person_id)
    if request.status == "scheduled":
        erasure.cancel(session, settings, person, request.id)  # commits, mails
        return
    request.status = "cancelled"
    request.outcome = "cancelled"
    request.completed_at = clock.now()
    event(session, request, "erasure_cancelled", person)
    session.commit()
