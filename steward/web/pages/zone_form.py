"""The time-zone setting both account pages offer (the customer's at /portal/account and
staff's at /desk/account): the zones to choose from, what leaving it blank means, and saving
the choice through the identity service. Times on every page then show in that zone."""

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.actor import Actor
from steward.desk.organisations import member_zone
from steward.identity import profile
from steward.policy.local import Local, zone_names
from steward.web.pages.kit import local_of


def context(request: Request, session: Session, actor: Actor, action: str) -> dict[str, Any]:
    """What the form shows: the zones, the one chosen, what blank means, and the time now as
    the viewer reads it."""
    business = Local.of(request.app.state.active_policy.policy.controller).time_zone
    organisation = member_zone(session, actor.person_id) if actor.person_id else None
    default = (
        f"Your organisation's time zone ({organisation})"
        if organisation
        else f"The business's time zone ({business})"
    )
    now = clock.now()
    local = local_of(request)
    return {
        "zone_action": action,
        "zone_names": zone_names(),
        "zone_chosen": profile.chosen_zone(session, actor) or "",
        "zone_default": default,
        "zone_now": f"{local.moment(now)} ({local.zone_name(now)})",
    }


def save(session: Session, actor: Actor, name: str) -> None:
    """Save the choice; an unknown zone raises Invalid, for the page to show beside the form."""
    profile.set_time_zone(session, actor, name[:100])
