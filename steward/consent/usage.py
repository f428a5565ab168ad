"""Usage analytics kept only with consent: a page view or event from a browser is stored only
when the browser's current consent allows the analytics category and it sends no Global
Privacy Control signal; otherwise it is dropped, never stored "just in case". The IP address
is kept truncated, like the ledger's."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from steward.consent import ledger
from steward.consent.models import UsageEvent
from steward.core import clock
from steward.policy.schema import Policy

ANALYTICS = "analytics"
KINDS = ("page_view", "event")


@dataclass(frozen=True)
class Outcome:
    stored: bool
    reason: str | None = None


def _without_query(path: str | None) -> str | None:
    """The path alone: a query string or fragment can carry personal data (an email, a
    search), so it is never kept."""
    return path.split("?", 1)[0].split("#", 1)[0] if path else path


def record(
    session: Session,
    policy: Policy,
    *,
    browser_id: str,
    kind: str,
    name: str | None,
    path: str | None,
    ip: str | None,
    signal: bool,
) -> Outcome:
    """Store the event if consent allows it, and say why not when it does not. Commits."""
    if signal:
        return Outcome(False, "the browser sends a Global Privacy Control signal")
    if ANALYTICS not in policy.cookies:
        return Outcome(False, "the policy declares no analytics cookies")
    if not ledger.allows(session, policy, browser_id, ANALYTICS):
        return Outcome(False, "this browser has not consented to analytics")
    session.add(
        UsageEvent(
            browser_id=browser_id,
            kind=kind,
            name=name,
            path=_without_query(path),
            ip_prefix=ledger.truncate_ip(ip),
            at=clock.now(),
        )
    )
    session.commit()
    return Outcome(True)
