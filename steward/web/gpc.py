"""Global Privacy Control (R10): reading a browser's signal, and honouring it for the
signed-in person, shared by the JSON API and the pages."""

import logging

from fastapi import Request

from steward.core.actor import Actor
from steward.core.errors import DomainError
from steward.core.settings import Settings
from steward.identity.sessions import Started
from steward.rights import intake
from steward.web.deps import SessionDep

log = logging.getLogger("steward.web")


def signals_gpc(request: Request) -> bool:
    """Whether the browser sends a Global Privacy Control signal (`Sec-GPC: 1`)."""
    return request.headers.get("Sec-GPC", "").strip() == "1"


def honour_signal(
    request: Request, session: SessionDep, settings: Settings, who: Actor | Started | None
) -> None:
    """A signed-in person whose browser sends Global Privacy Control is opted out of sale
    and sharing as a person, not only as a browser (R10). Never fails the request it rides
    on: a problem is logged (no personal data) and the choice is asked for again next time."""
    if who is None or not signals_gpc(request):
        return
    if isinstance(who, Started):
        who = Actor(role=who.role, account_id=who.account_id, person_id=who.person_id)
    try:
        intake.opt_out_by_signal(session, settings, who)
    except DomainError as error:
        session.rollback()
        log.warning("a Global Privacy Control opt-out was not recorded: %s", error.title)
