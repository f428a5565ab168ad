"""The immediate effects of a verified request, and the officer's corrections.

Restriction (R4) marks the person restricted: the gate then allows only storage and the
law's own purposes; the request stays open until the officer confirms it. Objection and
consent withdrawal (R6) and the CCPA opt-out and limit (R10) take effect at once and are
answered. Lifting a restriction tells the person first. Rectification (R2) applies the
corrections, the email through its blind index, and tells the recipients.
"""

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.gate import RIGHTS, check
from steward.consent import preferences
from steward.core import clock
from steward.core.actor import SYSTEM, Actor
from steward.core.errors import Conflict, Invalid, NotFound
from steward.core.settings import Settings
from steward.identity.common import email_index, login_index, mail_quietly, state_of
from steward.identity.models import Account, Person
from steward.policy.active import policy_of, resolve
from steward.rights import recipients
from steward.rights.common import event, get_request, require_officer
from steward.rights.models import RightsRequest

IMMEDIATE = ("objection", "consent_withdrawal", "ccpa_opt_out", "ccpa_limit")
EFFECTS = ("restriction", *IMMEDIATE)
CORRECTABLE = ("name", "email", "phone", "company")
_ANSWERS = {
    "objection": "We stopped the processing you objected to.",
    "consent_withdrawal": "We stopped the processing you withdrew your consent to.",
    "ccpa_opt_out": "We will not sell or share your personal information.",
    "ccpa_limit": "We limited the use of your sensitive personal information to what is "
    "needed to provide our service.",
    "restriction": "We restricted the processing of your data: we keep it, and use it for "
    "nothing else while the restriction lasts.",
}


def all_categories(session: Session) -> list[str]:
    return sorted(policy_of(session).categories)


def purposes_of(request: RightsRequest) -> list[str]:
    if not request.purposes:
        return []
    found = json.loads(request.purposes)
    return [str(p) for p in found] if isinstance(found, list) else []


def _marketing_off(session: Session, person_id: str) -> None:
    """Marketing off, in the preferences and the consent ledger alike (R6)."""
    preferences.set_marketing(session, person_id, False, method="form")


def _person(session: Session, person_id: str) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("There is no such person.")
    return person


def answer(
    session: Session, settings: Settings, request: RightsRequest, text: str, outcome: str
) -> None:
    """Close the request as done with `outcome` and mail the answer (no personal data)."""
    close(session, request, text, outcome)
    if request.email:
        mail_quietly(
            session,
            settings,
            request.email,
            f"Your request {request.reference} is done",
            f"{text}\n\nReference: {request.reference}",
        )


def close(session: Session, request: RightsRequest, text: str, outcome: str) -> None:
    request.status = "done"
    request.outcome = outcome
    request.answer = text
    request.completed_at = clock.now()
    event(session, request, "answered", note=outcome)


def on_verified(session: Session, settings: Settings, request: RightsRequest) -> None:
    """Apply what takes effect as soon as the person is verified (the caller commits)."""
    if request.kind not in EFFECTS:
        return
    person_id = request.person_id
    if person_id is None:
        answer(session, settings, request, "We hold no data about you.", "no_data")
        return
    check(session, SYSTEM, RIGHTS, state_of(session, person_id), ["user"], action=request.kind)
    person = _person(session, person_id)
    now = clock.now()
    if request.kind == "restriction":
        person.restricted_at = person.restricted_at or now
        event(session, request, "restricted")
        recipients.notify(session, request, person_id, "restriction", all_categories(session))
        return  # open until the officer confirms (fulfil)
    if request.kind == "objection":
        purposes = purposes_of(request)
        if not purposes or any(p.startswith("marketing") for p in purposes):
            _marketing_off(session, person_id)  # objecting to direct marketing is absolute
        if not purposes or any(not p.startswith("marketing") for p in purposes):
            person.objected_at = person.objected_at or now
    elif request.kind == "consent_withdrawal":
        purposes = purposes_of(request)
        if not purposes or any(p.startswith("marketing") for p in purposes):
            _marketing_off(session, person_id)
    elif request.kind == "ccpa_opt_out":
        person.sale_opt_out_at = person.sale_opt_out_at or now
        recipients.notify(
            session, request, person_id, "opt_out", all_categories(session), third_parties_only=True
        )
    else:
        person.sensitive_limited_at = person.sensitive_limited_at or now
    person.updated_at = now
    answer(session, settings, request, _ANSWERS[request.kind], "fulfilled")


def confirm_restriction(
    session: Session, settings: Settings, officer: Actor, request: RightsRequest
) -> None:
    """The officer confirms a restriction request: answered, the restriction stays."""
    if request.person_id is None:
        answer(session, settings, request, "We hold no data about you.", "no_data")
        return
    _person(session, request.person_id).restricted_at = (
        _person(session, request.person_id).restricted_at or clock.now()
    )
    request.handled_by = officer.account_id
    answer(session, settings, request, _ANSWERS["restriction"], "fulfilled")


def lift_restriction(session: Session, settings: Settings, officer: Actor, person_id: str) -> None:
    """End a restriction; the person is told (GDPR Art. 18(3)) and the recipients too."""
    require_officer(officer)
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("There is no such person.")
    if person.restricted_at is None:
        raise Conflict("This person's processing is not restricted.")
    if person.erased_at is not None:
        raise Conflict("An erased person stays restricted.")
    check(
        session,
        officer,
        RIGHTS,
        state_of(session, person_id),
        ["user.contact"],
        action="lift_restriction",
        columns=["email"],
    )
    person.restricted_at = None
    person.updated_at = clock.now()
    last = session.scalar(
        select(RightsRequest)
        .where(RightsRequest.person_id == person_id, RightsRequest.kind == "restriction")
        .order_by(RightsRequest.received_at.desc())
        .limit(1)
    )
    if last is not None:
        event(session, last, "restriction_lifted", officer)
        recipients.notify(session, last, person_id, "restriction_lifted", all_categories(session))
    address = person.email
    session.commit()
    if address:
        mail_quietly(
            session,
            settings,
            address,
            "The restriction on your data is lifted",
            "The restriction of processing you asked for has ended; we use your data again "
            "as our privacy policy describes.",
        )


def rectify(
    session: Session,
    settings: Settings,
    officer: Actor,
    request_id: str,
    corrections: dict[str, Any] | None = None,
) -> list[str]:
    """Apply corrections (name, email, phone, company); returns the fields changed."""
    require_officer(officer)
    request = get_request(session, request_id)
    if request.kind not in ("rectification", "ccpa_correct"):
        raise Invalid("This request is not a correction.")
    if request.status != "open":
        raise Conflict("Only an open, verified request can be fulfilled.")
    if corrections is None:
        corrections = json.loads(request.corrections) if request.corrections else {}
    unknown = sorted(set(corrections) - set(CORRECTABLE))
    if unknown:
        raise Invalid(f"These fields cannot be corrected here: {', '.join(unknown)}.")
    values = {k: str(v).strip() for k, v in corrections.items() if v is not None}
    if not values:
        raise Invalid("There is nothing to correct.")
    if request.person_id is None:
        answer(session, settings, request, "We hold no data about you.", "no_data")
        session.commit()
        return []
    person_id = request.person_id
    table = Person.__table__
    categories = sorted({table.c[f].info["category"] for f in values})
    check(
        session,
        officer,
        RIGHTS,
        state_of(session, person_id),
        categories,
        action="rectify",
        columns=sorted(values),
    )
    person = _person(session, person_id)
    if "email" in values:
        login = login_index(session, values["email"])
        clash = session.scalar(
            select(Account.id).where(Account.login_index == login, Account.person_id != person_id)
        )
        if clash:
            raise Conflict("This address already belongs to another account.")
        person.email_index = email_index(session, values["email"])
        for account in session.scalars(select(Account).where(Account.person_id == person_id)):
            account.login_index = login
    for name, value in values.items():
        setattr(person, name, value)
    person.updated_at = clock.now()
    request.handled_by = officer.account_id
    policy = policy_of(session)
    recipients.notify(
        session,
        request,
        person_id,
        "rectification",
        sorted({resolve(policy, c) or c for c in categories}),
    )
    answer(
        session,
        settings,
        request,
        "We corrected your data: " + ", ".join(sorted(values)) + ".",
        "fulfilled",
    )
    session.commit()
    return sorted(values)
