"""The notification preference form shared by /portal/account and /privacy/center (C5): the
switches, the preferred channel and the preferred service times. Switching marketing is
recorded in the consent ledger by the service (method "form")."""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from sqlalchemy.orm import Session

from steward.consent import preferences
from steward.core.actor import Actor
from steward.core.errors import Forbidden
from steward.identity.common import state_of
from steward.web.auth import client_ip
from steward.web.pages.kit import failed

FormText = Annotated[str, Form()]
PREFERENCE_LABELS = {
    "ticket_updates": "Updates on my requests",
    "service_messages": "Service messages (planned work, outages)",
    "maintenance_alerts": "Maintenance reminders for my devices",
    "marketing": "News and offers",
}
UNAVAILABLE = "Your notification preferences cannot be shown or changed now."
CHANNEL_LABELS = {"email": "Email", "phone": "Phone", "sms": "Text message", "none": "None"}


def context(session: Session, actor: Actor, action: str) -> dict[str, Any]:
    """What the form shows: the person's preferences, the labels, the marketing wording, and
    where it posts."""
    if actor.person_id is None:
        return {}
    try:
        prefs = preferences.read(session, actor, state_of(session, actor.person_id))
    except preferences.NotOffered as offered:  # the policy offers none: the page says so
        failed(session, offered)
        return {"prefs_unavailable": offered.message}
    except Forbidden as refused:  # restricted processing, say: the rest of the page shows
        failed(session, refused)
        return {"prefs_unavailable": f"{UNAVAILABLE} {refused.message}"}
    return {
        "prefs": prefs,
        "switches": PREFERENCE_LABELS,
        "channels": CHANNEL_LABELS,
        "marketing_wording": preferences.wording(session),
        "prefs_action": action,
    }


@dataclass(frozen=True)
class Submitted:
    """The form as posted: a checkbox left unticked is not sent at all."""

    switches: dict[str, bool]
    preferred_channel: str
    service_times: str


def _submitted(
    ticket_updates: FormText = "",
    service_messages: FormText = "",
    maintenance_alerts: FormText = "",
    marketing: FormText = "",
    preferred_channel: FormText = "email",
    service_times: FormText = "",
) -> Submitted:
    ticked = {
        "ticket_updates": ticket_updates,
        "service_messages": service_messages,
        "maintenance_alerts": maintenance_alerts,
        "marketing": marketing,
    }
    return Submitted({k: bool(v) for k, v in ticked.items()}, preferred_channel, service_times)


SubmittedForm = Annotated[Submitted, Depends(_submitted)]


def save(request: Request, session: Session, actor: Actor, form: Submitted) -> None:
    """Every switch is set from the form, ticked or not."""
    changes: dict[str, bool | str | None] = dict(form.switches)
    changes["preferred_channel"] = form.preferred_channel
    changes["service_times"] = form.service_times[: preferences.SERVICE_TIMES_MAX + 1]
    person_id = actor.person_id or ""
    ip = client_ip(request)
    preferences.update(session, actor, state_of(session, person_id), changes, ip=ip)
