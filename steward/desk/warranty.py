"""Warranty claims on devices, their descriptions sealed under the customer's key.
Top-level functions own their transaction."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from steward.access.gate import check_role
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import Invalid
from steward.desk.billing import (
    CLAIM_STATUSES,
    BillingFilter,
    ClaimView,
    _load,
    _one,
    _page,
    _purpose,
    _query,
    _require_device_of,
    _status,
    _text,
    no_card_numbers,
)
from steward.desk.calls import require_person
from steward.desk.common import (
    BILLING,
    Page,
    gate_person,
    only_changes,
)
from steward.desk.models import WarrantyClaim

CLAIM_COLUMNS = ("description",)


def _claim_views(rows: Iterable[WarrantyClaim], readable: set[str]) -> list[ClaimView]:
    return [
        ClaimView(
            id=c.id,
            person_id=c.person_id,
            device_id=c.device_id,
            status=c.status,
            description=c.description if c.id in readable else None,
            created_at=c.created_at,
        )
        for c in rows
    ]


def file_warranty_claim(
    session: Session,
    actor: Actor,
    *,
    person_id: str,
    description: str,
    device_id: str | None = None,
    status: str = "filed",
) -> ClaimView:
    check_role(session, actor, "file warranty claims", BILLING)
    no_card_numbers({"description": description})
    _status(status, CLAIM_STATUSES, "claim")
    description = description.strip()
    if not description:
        raise Invalid("Describe the claim.")
    require_person(session, person_id)
    if device_id:
        _require_device_of(session, device_id, person_id)
    gate_person(
        session, actor, WarrantyClaim, person_id, CLAIM_COLUMNS, action="create", purpose=BILLING
    )
    claim = WarrantyClaim(
        person_id=person_id,
        device_id=device_id,
        status=status,
        description=description,
        created_at=clock.now(),
    )
    session.add(claim)
    return _one(session, _claim_views, claim)


def list_warranty_claims(
    session: Session, actor: Actor, filters: BillingFilter, offset: int = 0, limit: int = 50
) -> Page[ClaimView]:
    check_role(session, actor, "see warranty claims", _purpose(actor))
    query = _query(WarrantyClaim, filters)
    return _page(session, actor, WarrantyClaim, query, CLAIM_COLUMNS, _claim_views, offset, limit)


def get_warranty_claim(session: Session, actor: Actor, claim_id: str) -> ClaimView:
    check_role(session, actor, "see warranty claims", _purpose(actor))
    claim = _load(session, actor, WarrantyClaim, claim_id, CLAIM_COLUMNS, "warranty claim")
    return _one(session, _claim_views, claim)


CLAIM_CHANGES = ("status", "description", "device_id")


def update_warranty_claim(
    session: Session, actor: Actor, claim_id: str, changes: dict[str, Any]
) -> ClaimView:
    """Change a claim's status, description or device (None unlinks the device)."""
    check_role(session, actor, "change warranty claims", BILLING)
    only_changes(changes, CLAIM_CHANGES, "a claim")
    no_card_numbers({"description": changes.get("description")})
    if "status" in changes:
        _status(changes["status"], CLAIM_STATUSES, "claim")
    if "description" in changes and not _text(changes["description"]):
        raise Invalid("Describe the claim.")
    claim = _load(
        session, actor, WarrantyClaim, claim_id, CLAIM_COLUMNS, "warranty claim", "update"
    )
    if changes.get("device_id"):
        _require_device_of(session, changes["device_id"], claim.person_id)
    if "device_id" in changes:
        claim.device_id = changes["device_id"]
    if "status" in changes:
        claim.status = changes["status"]
    if "description" in changes:
        claim.description = _text(changes["description"])
    return _one(session, _claim_views, claim)


def delete_warranty_claim(session: Session, actor: Actor, claim_id: str) -> None:
    check_role(session, actor, "delete warranty claims", BILLING)
    _load(session, actor, WarrantyClaim, claim_id, CLAIM_COLUMNS, "warranty claim", "delete")
    session.execute(delete(WarrantyClaim).where(WarrantyClaim.id == claim_id))
    session.commit()
