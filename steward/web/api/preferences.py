"""JSON API under /api/v1: notification preferences (service times too), service messages and
marketing mail (C5)."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from steward.access.gate import PersonState
from steward.consent import preferences
from steward.core.actor import Actor
from steward.core.errors import Forbidden
from steward.desk import notices
from steward.identity.common import state_of
from steward.web.auth import CurrentActor, SettingsDep, client_ip, csrf_guard, require_roles
from steward.web.deps import SessionDep

router = APIRouter(prefix="/api/v1", tags=["preferences"], dependencies=[Depends(csrf_guard)])
AdminActor = Annotated[Actor, Depends(require_roles("admin"))]
Channel = Literal["email", "phone", "sms", "none"]


class PreferencesOut(BaseModel):
    ticket_updates: bool
    service_messages: bool
    maintenance_alerts: bool
    marketing: bool
    preferred_channel: str
    service_times: str | None
    updated_at: datetime | None


class PreferencesIn(BaseModel):
    """The preferences to change; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    ticket_updates: bool | None = None
    service_messages: bool | None = None
    maintenance_alerts: bool | None = None
    marketing: bool | None = None
    preferred_channel: Channel | None = None
    service_times: str | None = Field(
        None, max_length=200, description="When visits and calls suit you; empty to clear."
    )


class ServiceMessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["account_status", "terms", "price_change", "marketing"]
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20000)
    organisation_id: str | None = Field(None, max_length=36)


class MarketingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20000)


class ServiceMessageOut(BaseModel):
    sent: int
    skipped: int
    unreachable: int


def _out(found: preferences.Preferences) -> PreferencesOut:
    return PreferencesOut(
        ticket_updates=found.ticket_updates,
        service_messages=found.service_messages,
        maintenance_alerts=found.maintenance_alerts,
        marketing=found.marketing,
        preferred_channel=found.preferred_channel,
        service_times=found.service_times,
        updated_at=found.updated_at,
    )


def _state(session: SessionDep, actor: Actor) -> PersonState:
    if actor.person_id is None:
        raise Forbidden("Only a signed-in person has notification preferences.")
    return state_of(session, actor.person_id)


@router.get("/me/preferences")
def read_preferences(actor: CurrentActor, session: SessionDep) -> PreferencesOut:
    """Which mail you get. Until you change anything: all service mail on, marketing off."""
    return _out(preferences.read(session, actor, _state(session, actor)))


@router.put("/me/preferences")
def change_preferences(
    body: PreferencesIn, actor: CurrentActor, session: SessionDep, request: Request
) -> PreferencesOut:
    """Change which mail you get and when visits and calls suit you; marketing is sent only
    if you turn it on here, and turning it on or off is recorded in your consent ledger."""
    sent = body.model_dump(exclude_unset=True)
    changes = {k: v for k, v in sent.items() if v is not None or k == "service_times"}
    ip = client_ip(request)
    return _out(preferences.update(session, actor, _state(session, actor), changes, ip=ip))


@router.post("/service-messages")
def send_service_message(
    body: ServiceMessageIn, actor: AdminActor, session: SessionDep, settings: SettingsDep
) -> ServiceMessageOut:
    """Mail a service message (account status, terms, price change) to every account
    holder, or to one organisation's members, who has not turned service messages off.
    Marketing is refused here: it needs consent and is sent separately."""
    result = notices.send_service_message(
        session,
        settings,
        actor,
        kind=body.kind,
        subject=body.subject,
        body=body.body,
        organisation_id=body.organisation_id,
    )
    return ServiceMessageOut(
        sent=result.sent, skipped=result.skipped, unreachable=result.unreachable
    )


@router.post("/marketing-messages")
def send_marketing(
    body: MarketingIn, actor: AdminActor, session: SessionDep, settings: SettingsDep
) -> ServiceMessageOut:
    """Mail news and offers to every account holder who consents to marketing and has it on;
    each mail carries a one-click unsubscribe link (RFC 8058)."""
    result = notices.send_marketing(session, settings, actor, subject=body.subject, body=body.body)
    return ServiceMessageOut(
        sent=result.sent, skipped=result.skipped, unreachable=result.unreachable
    )
