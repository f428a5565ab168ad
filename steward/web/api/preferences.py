"""JSON API under /api/v1: notification preferences and service messages (C5)."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from steward.core.actor import Actor
from steward.desk import notices, preferences
from steward.web.auth import CurrentActor, SettingsDep, csrf_guard, require_roles
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
    updated_at: datetime | None


class PreferencesIn(BaseModel):
    """The preferences to change; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    ticket_updates: bool | None = None
    service_messages: bool | None = None
    maintenance_alerts: bool | None = None
    marketing: bool | None = None
    preferred_channel: Channel | None = None


class ServiceMessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["account_status", "terms", "price_change", "marketing"]
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20000)
    organisation_id: str | None = Field(None, max_length=36)


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
        updated_at=found.updated_at,
    )


@router.get("/me/preferences")
def read_preferences(actor: CurrentActor, session: SessionDep) -> PreferencesOut:
    """Which mail you get. Until you change anything: all service mail on, marketing off."""
    return _out(preferences.read(session, actor))


@router.put("/me/preferences")
def change_preferences(
    body: PreferencesIn, actor: CurrentActor, session: SessionDep
) -> PreferencesOut:
    """Change which mail you get; marketing is sent only if you turn it on here."""
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    return _out(preferences.update(session, actor, changes))


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
