"""Deadlines and the privacy officer's decisions on them: extending a deadline (with the
reason told to the person, before the original deadline), refusing a request, answering an
inquiry, lapsing requests nobody verified, and the daily digest of open requests.

`ExtendIn`, `ReasonIn` and `AnswerIn` are what the officer gives, to the API and on the
request's page alike."""

from collections.abc import Sequence
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.gate import RIGHTS, PersonState, check
from steward.audit.checkpoints import newest as newest_checkpoint
from steward.core import clock
from steward.core.actor import SYSTEM, Actor
from steward.core.errors import Conflict, Invalid
from steward.core.settings import Settings
from steward.identity.common import local_for, mail_quietly
from steward.identity.models import Account, Person
from steward.policy.active import policy_of
from steward.rights.common import add_days, event, get_request, require_officer
from steward.rights.models import CLOSED, RightsRequest
from steward.rights.queries import contact, label, queue, tell

MOST_REASON = 1000


class ExtendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: int = Field(ge=1, le=366)
    reason: Annotated[str, Field(min_length=1, max_length=MOST_REASON)]


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=MOST_REASON)]


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(min_length=1, max_length=20000)]


def _open_request(session: Session, request_id: str) -> RightsRequest:
    request = get_request(session, request_id)
    if request.status in CLOSED:
        raise Conflict("This request is already closed.")
    return request


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(f"Write the {what}.")
    if len(value) > MOST_REASON and what != "answer":
        raise Invalid(f"The {what} is longer than {MOST_REASON} characters.")
    return value


def extend(
    session: Session, settings: Settings, officer: Actor, request_id: str, days: int, reason: str
) -> RightsRequest:
    """Extend the deadline by up to the right's `extension_days`, once, before the original
    deadline has passed; the person is told why. Commits."""
    require_officer(officer)
    request = _open_request(session, request_id)
    reason = _text(reason, "reason")
    if request.kind == "inquiry":
        raise Conflict("An inquiry's deadline cannot be extended.")
    if request.extended_at is not None:
        raise Conflict("This request's deadline was already extended.")
    now = clock.now()
    if now >= request.due_at:
        raise Conflict("The deadline has passed; it can only be extended before it.")
    right = policy_of(session).rights[request.kind]  # type: ignore[index]
    if not 0 < days <= right.extension_days:
        if right.extension_days == 0:
            raise Conflict("The policy allows no extension for this right.")
        raise Invalid(f"Extend by 1 to {right.extension_days} days.")
    request.due_at = add_days(request.due_at, days, right.day_kind)
    request.extended_at = now
    request.extension_reason = reason
    request.handled_by = officer.account_id
    event(session, request, "extended", officer, note=f"{days} days")
    session.commit()
    due = local_for(session, request.person_id).day(request.due_at)
    tell(
        session,
        settings,
        request,
        "We need more time for your privacy request",
        f"We need more time to answer your request ({label(request.kind)}). We will answer by "
        f"{due}.\n\nWhy: {reason}",
    )
    session.commit()
    return request


def refuse(
    session: Session, settings: Settings, officer: Actor, request_id: str, reason: str
) -> RightsRequest:
    """Refuse the request, recording the reason (kept with the request's record) and telling
    the person, with their right to complain. Commits."""
    require_officer(officer)
    request = _open_request(session, request_id)
    reason = _text(reason, "reason")
    now = clock.now()
    request.status, request.outcome = "refused", "refused"
    request.refusal_reason = reason
    request.completed_at = now
    request.handled_by = officer.account_id
    event(session, request, "refused", officer)
    session.commit()
    tell(
        session,
        settings,
        request,
        "Your privacy request was refused",
        f"We cannot act on your request ({label(request.kind)}).\n\nWhy: {reason}\n\n"
        "You may complain to a data protection authority or seek a judicial remedy.",
    )
    session.commit()
    return request


def answer_inquiry(
    session: Session, settings: Settings, officer: Actor, request_id: str, text: str
) -> RightsRequest:
    """Answer a privacy inquiry (R8): the answer is mailed and kept with the request."""
    require_officer(officer)
    request = _open_request(session, request_id)
    if request.kind != "inquiry":
        raise Conflict("Only an inquiry is answered this way.")
    text = _text(text, "answer")
    contact(session, officer, request, ["answer"], action="write")
    request.answer = text
    request.status, request.outcome = "done", "fulfilled"
    request.completed_at = clock.now()
    request.handled_by = officer.account_id
    event(session, request, "answered", officer)
    session.commit()
    tell(session, settings, request, "The answer to your privacy question", text)
    session.commit()
    return request


def lapse_unverified(session: Session, settings: Settings) -> int:
    """Close every request still unverified when its wait is over, and tell the address it
    was sent to (same words whether or not Steward knows the address). Commits."""
    now = clock.now()
    due = list(
        session.scalars(
            select(RightsRequest).where(
                RightsRequest.status == "unverified", RightsRequest.lapses_at <= now
            )
        )
    )
    for request in due:
        request.status, request.outcome = "lapsed", "lapsed"
        request.completed_at = now
        event(session, request, "lapsed")
    session.commit()
    for request in due:
        tell(
            session,
            settings,
            request,
            "Your privacy request has lapsed",
            f"Your request ({label(request.kind)}) was not confirmed in time, so we closed it "
            "without acting on it. You can make a new request at any time.",
        )
    session.commit()
    return len(due)


def officer_addresses(session: Session) -> list[str]:
    """Every active privacy officer's address, read through the gate, and the policy's
    privacy contact."""
    people = list(
        session.scalars(
            select(Account.person_id).where(
                Account.role == "privacy_officer", Account.status == "active"
            )
        )
    )
    found: list[str] = []
    for person_id in people:
        check(
            session,
            SYSTEM,
            RIGHTS,
            PersonState(person_id),
            ["user.contact.email"],
            columns=["email"],
        )
        person = session.get(Person, person_id)
        if person is not None and isinstance(person.email, str) and "@" in person.email:
            found.append(person.email)
    found.append(policy_of(session).controller.privacy_contact)
    unique: dict[str, str] = {}
    for address in found:
        unique.setdefault(address.casefold(), address)
    return list(unique.values())


def digest_text(session: Session) -> tuple[str, int]:
    """The digest: one line per open request (reference, kind, due date, marks); no
    personal data. Returns the text and how many requests it lists."""
    lines = []
    local = local_for(session)
    for found in queue(session, SYSTEM):
        marks = " OVERDUE" if found.overdue else " due soon" if found.due_soon else ""
        lines.append(
            f"{found.reference}  {found.kind:<18} {found.status:<10} due "
            f"{local.moment_zoned(found.due_at)}{marks}"
        )
    if not lines:
        return "No rights request is open.", 0
    head = f"{len(lines)} open rights request{'s' if len(lines) != 1 else ''}, soonest due first:"
    return "\n".join([head, "", *lines]), len(lines)


def digest(
    session: Session,
    settings: Settings,
    more: Sequence[str] = (),
    send_anyway: bool = False,
    incidents: Sequence[str] = (),
) -> int:
    """Mail the daily digest of open requests, the lines `more` (backups: no personal data)
    and the audit trail's newest signed checkpoint (a copy kept outside the database; no
    personal data) to every active privacy officer and the privacy contact; returns how many
    mails went out. Nothing is sent when no request is open and no checkpoint was signed,
    unless `send_anyway` (a warning). `incidents` are the lines of the incidents' duties due
    (incidents.clocks, no personal data): any sends the mail too."""
    text, count = digest_text(session)
    signed = newest_checkpoint(session)
    if count == 0 and signed is None and not send_anyway and not incidents:
        return 0
    if incidents:
        text = "\n".join([text, "", *incidents])
    if more:
        text = "\n".join([text, "", *more])
    if signed is not None:
        text += (
            "\n\nNewest audit checkpoint (keep it; `steward audit verify --checkpoints FILE` "
            f"checks the trail against such lines):\n{signed.line}"
        )
    addresses = officer_addresses(session)
    session.commit()  # the gate's audit entries
    subject = f"Rights requests: {count} open" if count else "Rights requests: none open"
    if incidents:
        subject += ", and incidents due"
    if send_anyway:
        subject += ", and a backup warning"
    return sum(mail_quietly(session, settings, to, subject, text) for to in addresses)
