"""The officer's one "fulfil" action, dispatched by the request's kind.

access, ccpa_know, portability: build the export and mail a download token;
rectification, ccpa_correct: apply the corrections; erasure, ccpa_delete: approve (the run
erases after the grace period); restriction: confirm it; the immediate kinds are already
done when verified. A request that matched nobody is answered "no data held".
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid
from steward.core.settings import Settings
from steward.identity.common import mail_quietly
from steward.policy.active import policy_of
from steward.rights import effects, erasure, export, review
from steward.rights.common import get_request, require_officer


@dataclass(frozen=True)
class Fulfilled:
    status: str
    outcome: str | None
    token: str | None = None  # the export's download token (also mailed to the person)
    scheduled_for: datetime | None = None
    changed: tuple[str, ...] = ()


def fulfil(
    session: Session, settings: Settings, officer: Actor, request_id: str, **options: Any
) -> Fulfilled:
    require_officer(officer)
    request = get_request(session, request_id)
    kind = request.kind
    if kind in erasure.ERASURE_KINDS:
        when = erasure.approve(session, settings, officer, request_id)
        return Fulfilled(request.status, request.outcome, scheduled_for=when)
    if request.status != "open":
        raise Conflict("Only an open, verified request can be fulfilled.")
    if kind in ("rectification", "ccpa_correct"):
        changed = effects.rectify(
            session, settings, officer, request_id, options.get("corrections")
        )
        return Fulfilled(request.status, request.outcome, changed=tuple(changed))
    if request.person_id is None:
        effects.answer(session, settings, request, "We hold no data about you.", "no_data")
        session.commit()
        return Fulfilled(request.status, request.outcome)
    if kind == "restriction":
        effects.confirm_restriction(session, settings, officer, request)
        session.commit()
        return Fulfilled(request.status, request.outcome)
    if kind in (*export.ACCESS_KINDS, "portability"):
        review.require_reviewed(session, request)
        token = export.build(session, settings, officer, request)
        request.handled_by = officer.account_id
        effects.close(session, request, "Your export is ready to download.", "fulfilled")
        address, reference = request.email, request.reference
        session.commit()
        if address:
            days = policy_of(session).requests.download_expiry.words()
            mail_quietly(
                session,
                settings,
                address,
                f"Your data export {reference} is ready",
                f"Download it within {days} at\n\n"
                f"{settings.public_url.rstrip('/')}/privacy/center/download?token={token}\n\n"
                f"or enter this token in the privacy center:\n\n{token}",
            )
        return Fulfilled(request.status, request.outcome, token=token)
    raise Invalid("This kind of request is answered as soon as it is verified.")
