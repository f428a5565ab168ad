"""Requests made by phone, by post or in person, logged by the privacy officer on the person's
behalf: the kind, the channel (one the policy offers for it), the date it was received (its
clock starts then, not when it is typed), who asked, and how their identity was checked.

Documents seen or details matched to what is held verify the request at once, the officer
as the actor, audited; the person it is about is the one behind the email address given, or,
for a letter with no address, the person the officer names (by the full name or the email address we hold, `whom`). A code mailed to the address
follows the normal code flow. Without an address no mail is sent: the officer answers by
post, and the request's export token is shown to the officer.

`LoggedIn` is what the officer gives, the API's body and the /dpo/log form alike.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.gate import RIGHTS
from steward.audit.service import record
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Invalid
from steward.core.settings import Settings
from steward.identity.common import email_index
from steward.identity.models import Person
from steward.policy.active import policy_of
from steward.policy.channels import OFFICER_LOGGED, usable
from steward.rights import intake, queries, verify
from steward.rights.common import Short, Text, event, require_officer
from steward.rights.models import KINDS

OLDEST_DAYS = 365  # a request received longer ago than this is a typing mistake
NAME_SCAN, NAME_BATCH = 500, 100  # the newest people whose names `whom` reads, and per batch
CHECKS = {
    "document": "documents seen",
    "data_points": "details matched to what we hold",
    "email_code": "a code mailed to the address",
}
AT_ONCE = ("document", "data_points")  # the officer has checked: verified when logged


class LoggedIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(max_length=20, description=f"One of: {', '.join(KINDS)}.")
    channel: Literal["phone", "post", "in_person"]
    received: datetime | date = Field(
        description="When the request was received (a date alone: the start of that day, "
        "UTC); its clock starts then."
    )
    name: Short
    email: str | None = Field(
        None, max_length=254, description="Optional for a letter: then it is answered by post."
    )
    checked: Literal["document", "data_points", "email_code"] | None = Field(
        None, description="How the identity was checked (none for an inquiry)."
    )
    note: Annotated[str, Field(max_length=500)] | None = None  # the check, in the officer's words
    details: Text | None = None
    corrections: dict[Short, Short] = Field(default_factory=dict, max_length=4)
    purposes: list[Short] = Field(default_factory=list, max_length=20)
    person_id: Annotated[str, Field(max_length=36)] | None = Field(
        None, description="For a letter with no email address: the person it is about."
    )
    about: Annotated[str, Field(max_length=254)] | None = Field(
        None,
        description="Instead of person_id: the full name or the email address we hold for "
        "the person the letter is about.",
    )


def received_at(received: date | datetime) -> datetime:
    """When the request was received: not in the future, not absurdly old."""
    if isinstance(received, datetime):
        moment = received if received.tzinfo else received.replace(tzinfo=UTC)
    else:
        moment = datetime.combine(received, time(), tzinfo=UTC)
    now = clock.now()
    if moment > now:
        raise Invalid("The date received cannot be in the future.")
    if moment < now - timedelta(days=OLDEST_DAYS):
        raise Invalid(f"The date received is more than {OLDEST_DAYS} days ago; check it.")
    return moment


def _checked(logged: LoggedIn, verification: list[str], email: str | None) -> str:
    allowed = usable(logged.channel, verification, signed_in=False)
    if logged.checked not in allowed:
        words = "; ".join(CHECKS[m] for m in allowed) or "no check an officer can make"
        raise Invalid(f"For this request the policy accepts: {words}.")
    if logged.checked == "email_code" and not email:
        raise Invalid("A code needs the person's email address.")
    return logged.checked


def _person(session: Session, officer: Actor, logged: LoggedIn) -> str | None:
    if logged.about and logged.about.strip():
        if logged.person_id is not None:
            raise Invalid("Name the person the letter is about once.")
        return whom(session, officer, logged.about)
    if logged.person_id is None:
        return None
    found = session.scalar(
        select(Person.id).where(Person.id == logged.person_id, Person.erased_at.is_(None))
    )
    if found is None:
        raise Invalid("There is no such person.")
    return found


def whom(session: Session, officer: Actor, text: str) -> str:
    """The one person we hold by this email address (its blind index) or this full name (in
    any case; the newest NAME_SCAN people's names are read through the gate, audited)."""
    typed = " ".join(text.split())
    living = select(Person.id).where(Person.kind != "staff", Person.erased_at.is_(None))
    if "@" in typed:
        found = list(
            session.scalars(living.where(Person.email_index == email_index(session, typed)))
        )
    else:
        wanted, found = typed.casefold(), []
        newest = living.order_by(Person.created_at.desc(), Person.id.desc())
        for start in range(0, NAME_SCAN, NAME_BATCH):
            batch = list(session.scalars(newest.offset(start).limit(NAME_BATCH)))
            named = queries.person_names(session, officer, batch)
            found += [p for p in batch if " ".join(named.get(p, "").split()).casefold() == wanted]
            if len(batch) < NAME_BATCH:
                break
    if not found:
        raise Invalid("No one we hold has that name or email address: check the spelling.")
    if len(found) > 1:
        raise Invalid("Several people have that name: give the email address we hold instead.")
    return found[0]


def log_request(
    session: Session, settings: Settings, officer: Actor, logged: LoggedIn
) -> intake.Opened:
    """Log a request the officer took by phone, by post or in person. Commits."""
    require_officer(officer)
    policy = policy_of(session)
    if logged.channel not in OFFICER_LOGGED:
        raise Invalid("The officer logs requests made by phone, by post or in person.")
    new = intake.NewRequest(
        kind=logged.kind,
        details=logged.details,
        corrections=logged.corrections,
        purposes=logged.purposes,
        channel=logged.channel,
    )
    intake.check_offered(policy, new)
    intake.check_fields(policy, new)
    received = received_at(logged.received)
    name = " ".join(logged.name.split())
    if not name:
        raise Invalid("Enter the name of the person who asked.")
    email = (logged.email or "").strip() or None
    if email is not None and (not intake.EMAIL.match(email) or len(email) > 254):
        raise Invalid("Enter a valid email address, or none for a letter answered by post.")
    if email is None and logged.channel != "post":
        raise Invalid("Enter the person's email address: only a letter is answered by post.")
    checked = None
    person_id = _person(session, officer, logged)
    if logged.kind != "inquiry":
        right = policy.rights[logged.kind]  # type: ignore[index]
        checked = _checked(logged, list(right.verification), email)
        if email is None and person_id is None:
            raise Invalid("Without an email address, name the person the letter is about.")
    if email is not None and person_id is not None:
        raise Invalid("Give the email address or the person, not both.")
    note = " ".join((logged.note or "").split())
    if checked in AT_ONCE and not note:
        raise Invalid("Say briefly how the identity was checked.")
    if note:
        new = intake.NewRequest(
            kind=new.kind,
            details=f"{(logged.details or '').strip()}\n\nIdentity check: {note}".strip(),
            corrections=new.corrections,
            purposes=new.purposes,
            channel=new.channel,
        )
    request = intake.create(session, policy, new, email, name, received, None)
    event(session, request, "logged", officer, note=logged.channel)
    code = verify.issue_code(session, request) if checked == "email_code" else None
    session.commit()
    verified_by = checked if checked in AT_ONCE else None
    intake.acknowledge(session, settings, policy, request, code, verified_by)
    if checked in AT_ONCE:
        if email is not None:
            person_id = verify.person_for(session, request)
        record(
            session,
            officer,
            f"verify_{checked}",
            purpose=RIGHTS,
            person_id=person_id,
            categories=["user.authorization"],
            columns=[],
            outcome="ok",
        )
        verify.mark_verified(
            session, settings, request, checked, person_id, actor=officer, waited=False
        )
    session.commit()
    return intake.opened(policy, request)
