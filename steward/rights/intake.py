"""Opening a rights request or a privacy inquiry, from anyone, signed in or not, through any
channel the policy offers for it: the privacy center and the API, the portal and account
settings (signed in, about oneself), and email (`rights.mailbox`); phone, post and in-person
requests are logged by the privacy officer (`rights.logged`).

The answer and the acknowledgement mail have the same shape whether or not Steward knows the
address: a code goes to the address given, and only once it is verified is the request tied to
a person (or answered "no data held"). A signed-in person asking about themselves is verified
at once where the policy accepts a session, or by re-entering their password where it asks
for that. Which methods a channel can use is `steward.policy.channels`. Every request is
acknowledged by mail at once with its reference and due date; California requests say that
this is the confirmation the law asks for.

`RequestIn` is what a person asks, the API's body and the privacy center's form alike;
`NewRequest` is what the intake opens from any channel, with what only Steward sets.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from steward.access.gate import RIGHTS
from steward.core import clock
from steward.core.actor import SYSTEM, Actor
from steward.core.errors import Invalid
from steward.core.ids import new_id
from steward.core.settings import Settings
from steward.identity import passwords
from steward.identity.common import gate, load_person, local_for, security_event
from steward.identity.guardians import GuardianRequest
from steward.identity.models import Account, Person
from steward.policy.active import policy_of
from steward.policy.channels import NAMES, OFFICER_LOGGED, usable
from steward.policy.local import Local
from steward.policy.schema import Policy
from steward.rights import verify
from steward.rights.common import (
    CCPA_CONFIRM_BUSINESS_DAYS,
    Short,
    Text,
    due_for,
    event,
    new_reference,
    policy_channel,
)
from steward.rights.models import CHANNELS, KINDS, RightsRequest
from steward.rights.queries import contact, label, tell

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CORRECTABLE = ("name", "email", "phone", "company")
IN_ACCOUNT = ("portal", "account_settings")  # a signed-in person's own pages
CHECKED_BY = {
    "session": "You were signed in, so we know the request is yours.",
    "password": "You were signed in and entered your password, so we know the request is yours.",
    "document": "Our privacy officer saw documents confirming who you are.",
    "data_points": "Our privacy officer matched your details to what we hold.",
}


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(max_length=20, description=f"One of: {', '.join(KINDS)}.")
    email: str | None = Field(None, max_length=254)
    name: Short | None = None
    details: Text | None = None
    corrections: dict[Short, Short] = Field(default_factory=dict, max_length=4)
    purposes: list[Short] = Field(default_factory=list, max_length=20)
    on_behalf: bool = False
    agent: Annotated[str, Field(max_length=500)] | None = None
    password: Short | None = None
    channel: Literal["api", "portal", "account_settings"] = Field(
        "api",
        description="Where the person asks: the privacy center's API, or (signed in, about "
        "themselves) their portal or account settings.",
    )


# Not the body of any request: a caller must not set `verified_by` or `email_message_id`.
@dataclass(frozen=True)
class NewRequest:
    kind: str
    email: str | None = None
    name: str | None = None
    details: str | None = None
    corrections: dict[str, str] = field(default_factory=dict)
    purposes: list[str] = field(default_factory=list)
    on_behalf: bool = False
    agent: str | None = None
    channel: str = "api"
    password: str | None = None
    email_message_id: str | None = None  # blind index, for a request asked by mail
    # set only by Steward: "guardian" (a guardian's link), "signal" (Global Privacy Control)
    verified_by: str | None = None


@dataclass(frozen=True)
class Opened:
    id: str
    reference: str
    status: str
    due_at: datetime
    verification: list[str]  # the methods still possible, empty once verified


def channels_for(policy: Policy, kind: str) -> list[str]:
    """The policy's channels for a kind of request; raises for a kind it does not offer."""
    if kind not in KINDS:
        raise Invalid(f"A request's kind is one of: {', '.join(KINDS)}.")
    if kind == "inquiry":
        return list(policy.inquiries.channels)
    right = policy.rights.get(kind)  # type: ignore[call-overload]
    if right is None or not right.offered:
        raise Invalid("The policy does not offer this right.")
    return list(right.channels)


def check_offered(policy: Policy, new: NewRequest) -> str:
    """The policy's name of the request's channel; raises for a kind or channel it does not
    offer, naming the channels it does."""
    channels = channels_for(policy, new.kind)
    if new.channel not in CHANNELS:
        raise Invalid(f"A request's channel is one of: {', '.join(CHANNELS)}.")
    where = policy_channel(new.channel)
    if new.kind == "inquiry" and where == "email":
        return where  # a question mailed to the privacy address is always answered
    if where not in channels:
        offered = ", ".join(NAMES[c] for c in channels)
        raise Invalid(
            f"This request cannot be made {NAMES[where]}: the policy offers it {offered}."
        )
    return where


def check_fields(policy: Policy, new: NewRequest) -> None:
    if new.corrections:
        if new.kind not in ("rectification", "ccpa_correct"):
            raise Invalid("Corrections belong to a rectification request.")
        wrong = sorted(set(new.corrections) - set(CORRECTABLE))
        if wrong:
            raise Invalid(f"Corrections can name: {', '.join(CORRECTABLE)}.")
    if new.kind in ("rectification", "ccpa_correct") and not (new.corrections or new.details):
        raise Invalid("Say what is wrong and what it should be.")
    if new.purposes:
        if new.kind not in ("objection", "consent_withdrawal"):
            raise Invalid("Purposes belong to an objection or a withdrawal of consent.")
        unknown = sorted(set(new.purposes) - set(policy.purposes))
        if unknown:
            raise Invalid("The policy declares no such purpose.")
    if new.kind == "inquiry" and not (new.details or "").strip():
        raise Invalid("Write your question.")
    if new.on_behalf and not (new.agent or "").strip():
        raise Invalid("An agent gives their name and address, and sends proof of authority.")


def _self_verification(
    session: Session, policy: Policy, actor: Actor, new: NewRequest, where: str
) -> str | None:
    """'session' or 'password' when the signed-in person may be verified at once through
    this channel, else None (they get a code like anyone else). A wrong password refuses."""
    right = policy.rights[new.kind]  # type: ignore[index]
    methods = usable(where, list(right.verification))
    if "session" in methods:
        return "session"
    if "password" not in methods:
        return None
    if not new.password:
        if "email_code" in methods:
            return None
        raise Invalid("Enter your password again to make this request.")
    account = session.get(Account, actor.account_id) if actor.account_id else None
    if account is None or not passwords.verify(account.password_hash, new.password):
        security_event(session, actor, "rights_password_failed", actor.person_id)
        session.commit()
        raise Invalid("The password is wrong.")
    return "password"


def _acknowledgement(
    settings: Settings,
    policy: Policy,
    request: RightsRequest,
    code: str | None,
    verified_by: str | None,
    local: Local,
) -> str:
    due = local.moment_zoned(request.due_at)
    ccpa = request.kind.startswith("ccpa_")
    lines = [f"We received your request: {label(request.kind)}.", ""]
    if request.channel in OFFICER_LOGGED:
        received = local.day(request.received_at)
        lines += [f"You asked {NAMES[request.channel]}; we received it on {received}.", ""]
    if ccpa:
        lines += [
            "This message confirms that we received your request, as the California Consumer "
            f"Privacy Act asks us to within {CCPA_CONFIRM_BUSINESS_DAYS} business days.",
            "",
        ]
    lines.append(f"We will answer by {due}.")
    if verified_by == "signal":
        lines += [
            "",
            "Your browser sent a Global Privacy Control signal while you were signed in: we "
            "take it as your request to opt out of the sale and sharing of your data.",
        ]
    elif verified_by == "guardian":
        lines += ["", "You asked through the link we mailed to you as the child's guardian."]
    elif verified_by is not None:
        lines += ["", CHECKED_BY.get(verified_by, CHECKED_BY["session"])]
    elif request.status == "unverified":
        if not ccpa:
            lines.append("The time we wait for you to confirm who you are is added to it.")
        if code is not None:
            lines += ["", verify.code_text(settings, request, code, policy.requests.code_minutes)]
        elif request.on_behalf:
            lines += [
                "",
                "Before we act on a request made on someone's behalf, the agent must send "
                "proof of their authority; our privacy officer reviews it.",
            ]
        else:
            lines += ["", _how_to_confirm(settings, policy, request)]
    base = settings.public_url.rstrip("/")
    lines += [
        "",
        f"You can follow it at {base}/privacy/center/status?reference={request.reference}",
    ]
    return "\n".join(lines)


def _how_to_confirm(settings: Settings, policy: Policy, request: RightsRequest) -> str:
    """Where someone without a code confirms who they are: details we hold, a document."""
    ways = {"data_points": "with details we hold about you", "document": "by sending a document"}
    found = [ways[m] for m in verify.methods(policy, request) if m in ways]
    if not found:
        return "Before we act, we need to confirm who you are; we will tell you how."
    where = f"{settings.public_url.rstrip('/')}/privacy/center/verify?reference={request.reference}"
    return f"Before we act, confirm who you are at {where}, {' or '.join(found)}."


def create(
    session: Session,
    policy: Policy,
    new: NewRequest,
    email: str | None,
    name: str | None,
    received_at: datetime,
    actor: Actor | None,
) -> RightsRequest:
    """The request's row, its contact details sealed, and its first step; flushed, not
    committed. Its clock starts at `received_at`; the wait to confirm it, now."""
    request = RightsRequest(
        id=new_id(),
        reference=new_reference(),
        kind=new.kind,
        channel=new.channel,
        status="open" if new.kind == "inquiry" else "unverified",
        email=email,
        name=name,
        details=(new.details or "").strip() or None,
        corrections=json.dumps(new.corrections, sort_keys=True) if new.corrections else None,
        purposes=json.dumps(sorted(set(new.purposes))) if new.purposes else None,
        on_behalf=new.on_behalf,
        agent=(new.agent or "").strip() or None,
        email_message_id=new.email_message_id,
        received_at=received_at,
        due_at=due_for(policy, new.kind, received_at),
        lapses_at=(
            None if new.kind == "inquiry" else policy.requests.unverified_lapse.after(clock.now())
        ),
    )
    columns = [
        c for c in ("email", "name", "details", "corrections", "agent") if getattr(request, c)
    ]
    contact(session, SYSTEM, request, columns, action="create")
    session.add(request)
    session.flush()  # no ORM relationships: the request before its events and code
    event(session, request, "received", actor, note=new.channel, at=received_at)
    return request


def acknowledge(
    session: Session,
    settings: Settings,
    policy: Policy,
    request: RightsRequest,
    code: str | None,
    method: str | None,
) -> None:
    """Mail the acknowledgement (with the code, if any) to the request's address, if any;
    the caller commits."""
    if tell(
        session,
        settings,
        request,
        "We received your privacy request",
        _acknowledgement(
            settings, policy, request, code, method, local_for(session, request.person_id)
        ),
    ):
        request.confirmed_at = clock.now()
        event(session, request, "acknowledged")


def open_request(session: Session, settings: Settings, actor: Actor, new: NewRequest) -> Opened:
    """Open a request (or an inquiry) and acknowledge it by mail at once. Commits."""
    policy = policy_of(session)
    where = check_offered(policy, new)
    if where in OFFICER_LOGGED:
        raise Invalid(
            "A request made by phone, by post or in person is logged by our privacy officer."
        )
    check_fields(policy, new)
    signed_in = actor.person_id is not None and actor.account_id is not None
    self_request = signed_in and not new.on_behalf
    if where in IN_ACCOUNT and not self_request:
        raise Invalid(f"Sign in to make this request {NAMES[where]}, about yourself.")
    email, name = (new.email or "").strip(), (new.name or "").strip() or None
    if self_request and actor.person_id is not None:
        person = load_person(session, actor, actor.person_id, ["email", "name"], purpose=RIGHTS)
        email, name = person.email or email, name or person.name
    if not EMAIL.match(email) or len(email) > 254:
        raise Invalid("Enter the email address the request is about.")
    method = None
    if new.verified_by is not None and new.kind != "inquiry":
        method = new.verified_by
    elif self_request and new.kind != "inquiry" and where != "email":
        method = _self_verification(session, policy, actor, new, where)
    if method is None and new.kind != "inquiry" and not new.on_behalf:
        offered = list(policy.rights[new.kind].verification)  # type: ignore[index]
        if not usable(where, offered, signed_in=False):
            raise Invalid("Sign in to make this request.")
    request = create(session, policy, new, email, name, clock.now(), actor if signed_in else None)
    code = None
    if method is None and "email_code" in verify.methods(policy, request):
        code = verify.issue_code(session, request)
    session.commit()
    acknowledge(session, settings, policy, request, code, method)
    if method is not None and actor.person_id is not None:
        verify.mark_verified(session, settings, request, method, actor.person_id, actor=actor)
    session.commit()
    return opened(policy, request)


def opened(policy: Policy, request: RightsRequest) -> Opened:
    return Opened(
        id=request.id,
        reference=request.reference,
        status=request.status,
        due_at=request.due_at,
        verification=verify.methods(policy, request),
    )


def open_for_child(
    session: Session, settings: Settings, asker: GuardianRequest, kind: str
) -> Opened:
    """A request by a child's guardian, who proved who they are by the access link mailed to
    the address they gave when consenting (C3): verified at once, answered to the guardian."""
    if kind not in ("access", "erasure"):
        raise Invalid("A guardian can ask for a copy of the data or for its erasure here.")
    new = NewRequest(
        kind=kind,
        email=asker.guardian_email,
        name=asker.guardian_name,
        details="Asked by the child's parent or guardian through their access link.",
        on_behalf=True,
        agent=f"{asker.guardian_name} (parent or guardian)",
        channel="privacy_center",
        verified_by="guardian",
    )
    child = Actor(role="customer", person_id=asker.child_person_id)
    return open_request(session, settings, child, new)


def opt_out_by_signal(session: Session, settings: Settings, actor: Actor) -> bool:
    """A Global Privacy Control signal from a signed-in person's browser is their request
    to opt out of sale and sharing (R10; CCPA regulations, 11 CCR 7025), honoured once:
    through the rights engine when the policy offers `ccpa_opt_out` at the privacy center,
    so third parties are told and the person gets the confirmation; otherwise the opt-out
    is set directly. Returns whether anything was done. Commits."""
    if actor.person_id is None:
        return False
    opted = session.scalar(select(Person.sale_opt_out_at).where(Person.id == actor.person_id))
    if opted is not None:
        return False
    right = policy_of(session).rights.get("ccpa_opt_out")
    if right is not None and right.offered and "privacy_center" in right.channels:
        new = NewRequest(kind="ccpa_opt_out", channel="privacy_center", verified_by="signal")
        open_request(session, settings, actor, new)
        return True
    gate(session, actor, Person, actor.person_id, [], action="opt_out")
    session.execute(
        update(Person).where(Person.id == actor.person_id).values(sale_opt_out_at=clock.now())
    )
    session.commit()
    return True
