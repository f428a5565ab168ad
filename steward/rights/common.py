"""What the rights services share: who may handle requests, deadlines in calendar or business
days, references, the timeline, loading a request, and the lengths of typed input."""

import secrets
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Forbidden, NotFound
from steward.policy.schema import Policy
from steward.rights.models import RequestEvent, RightsRequest

OFFICER_ROLES = frozenset({"privacy_officer"})
Text = Annotated[str, Field(max_length=5000)]  # typed input: details, a question
Short = Annotated[str, Field(max_length=200)]  # typed input: a name, a purpose, a correction
CCPA_CONFIRM_BUSINESS_DAYS = 10  # Cal. Code Regs. tit. 11, § 7021: confirm within 10 business days
_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: easy to read out on the phone
# The API and the privacy center are the same place for the policy's `channels`.
POLICY_CHANNEL = {"api": "privacy_center"}


def policy_channel(channel: str) -> str:
    """The policy's name for a request's channel."""
    return POLICY_CHANNEL.get(channel, channel)


def require_officer(actor: Actor) -> None:
    """A role check before anything is looked up, so a refusal reveals nothing."""
    if actor.role not in OFFICER_ROLES:
        raise Forbidden("Only the privacy officer handles rights requests.")


def new_reference() -> str:
    """PR-XXXX-XXXX: about 39 bits of randomness, so references cannot be guessed."""
    letters = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"PR-{letters[:4]}-{letters[4:]}"


def add_days(start: datetime, days: int, day_kind: str = "calendar") -> datetime:
    """`days` calendar days after `start`, or `days` business days (Monday to Friday)."""
    if day_kind == "calendar":
        return start + timedelta(days=days)
    moment = start
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def due_for(policy: Policy, kind: str, start: datetime) -> datetime:
    """When a request of `kind` received at `start` must be answered, before any extension:
    the right's deadline, or the inquiry response time for a general inquiry."""
    if kind == "inquiry":
        return start + timedelta(hours=policy.inquiries.response_hours)
    right = policy.rights.get(kind)  # type: ignore[call-overload]
    if right is None or not right.offered:
        raise NotFound("The policy does not offer this right.")
    return add_days(start, right.deadline_days, right.day_kind)


def event(
    session: Session,
    request: RightsRequest,
    step: str,
    actor: Actor | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> None:
    """A step on the request's timeline. `note` is a fixed phrase or an id, never personal."""
    session.add(
        RequestEvent(
            request_id=request.id,
            step=step,
            note=note,
            actor_id=actor.account_id if actor else None,
            at=at or clock.now(),
        )
    )


def get_request(session: Session, request_id: str) -> RightsRequest:
    request = session.get(RightsRequest, request_id)
    if request is None:
        raise NotFound("There is no such request.")
    return request


def by_reference(session: Session, reference: str) -> RightsRequest:
    request = session.scalar(
        select(RightsRequest).where(RightsRequest.reference == reference.strip().upper())
    )
    if request is None:
        raise NotFound("There is no request with this reference.")
    return request
