"""JSON API, /api/v1/me: the signed-in person's own data, to see and correct (R2), the rights
the policy offers in their account, and closing it (R3)."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from steward.core import clock
from steward.identity import closing, profile
from steward.identity.common import EmailText
from steward.identity.inputs import TokenIn
from steward.policy.active import policy_of
from steward.rights import self_service
from steward.web.api.auth import StatusOut
from steward.web.auth import CurrentActor, SettingsDep, clear_session_cookies, csrf_guard
from steward.web.deps import SessionDep

router = APIRouter(prefix="/api/v1/me", tags=["me"], dependencies=[Depends(csrf_guard)])


class MeOut(BaseModel):
    person_id: str
    account_id: str
    role: str
    name: str | None
    email: str | None
    phone: str | None
    company: str | None
    birth_date: str | None
    email_verified: bool
    mfa_enabled: bool


class MeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    phone: Annotated[str, Field(max_length=50)] | None = None
    company: Annotated[str, Field(max_length=200)] | None = None


class EmailChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailText
    password: str = Field(max_length=1000)


def _out(found: profile.Profile) -> MeOut:
    fields = found.fields
    return MeOut(
        person_id=found.person_id,
        account_id=found.account_id,
        role=found.role,
        name=fields.get("name"),
        email=fields.get("email"),
        phone=fields.get("phone"),
        company=fields.get("company"),
        birth_date=fields.get("birth_date"),
        email_verified=found.email_verified,
        mfa_enabled=found.mfa_enabled,
    )


@router.get("")
def read_me(actor: CurrentActor, session: SessionDep) -> MeOut:
    """Your own data. A field the policy does not use for running your account is null."""
    return _out(profile.read(session, actor))


@router.patch("")
def correct_me(body: MeIn, actor: CurrentActor, session: SessionDep) -> MeOut:
    """Correct your name, phone or company; send only the fields to change (null clears
    phone or company)."""
    changes = body.model_dump(exclude_unset=True)
    return _out(profile.correct(session, actor, changes))


@router.post("/email", status_code=202)
def change_email(
    body: EmailChangeIn, actor: CurrentActor, session: SessionDep, settings: SettingsDep
) -> StatusOut:
    """Ask to change your email address: it changes once you follow the link sent to it."""
    profile.request_email_change(session, settings, actor, body.email, body.password)
    return StatusOut(
        status="pending", detail="Follow the link we sent to the new address to confirm it."
    )


@router.post("/email/confirm")
def confirm_email(body: TokenIn, session: SessionDep, settings: SettingsDep) -> StatusOut:
    """Follow the link sent to the new address; needs no session (it may be another device)."""
    profile.confirm_email_change(session, settings, body.token)
    return StatusOut(status="changed", detail="Your email address is changed.")


# Rights asked for in one's own account (`portal`, `account_settings`), and closing it (R3)


class RightOpenedOut(BaseModel):
    id: str
    reference: str
    status: str
    due_at: datetime
    verification: list[str]


class KeptOut(BaseModel):
    name: str
    words: str
    until: date | None
    reason: str | None = None


class ErasureOfferOut(BaseModel):
    offered_here: bool
    password: bool
    other_ways: list[str]
    erased: list[str]
    kept: list[KeptOut]
    held: bool
    grace: str


class CloseOut(BaseModel):
    kept: list[KeptOut]
    erasure: ErasureOfferOut | None


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delete: bool = False
    password: Annotated[str, Field(max_length=1000)] | None = None


class ClosedOut(BaseModel):
    status: str
    closed_at: datetime
    mailed: bool
    erasure_reference: str | None = None
    erasure_scheduled_for: datetime | None = None


@router.post("/rights", status_code=202)
def ask_right(
    body: self_service.RightIn, actor: CurrentActor, session: SessionDep, settings: SettingsDep
) -> RightOpenedOut:
    """Ask for a right about yourself where the policy offers it in your account (`portal` or
    `account_settings`); verified by your session, or by `password` where the policy asks it.
    422 names the other ways for a right not offered here."""
    opened = self_service.ask(
        session,
        settings,
        actor,
        body.kind,
        password=body.password,
        purposes=body.purposes,
        corrections=body.corrections,
        details=body.details,
    )
    return RightOpenedOut(**opened.__dict__)


def _kept_now(session: SessionDep) -> list[KeptOut]:
    lines = closing.kept_after_closing(policy_of(session), clock.now())
    return [KeptOut(name=k.name, words=k.words, until=k.until) for k in lines]


@router.get("/close")
def closing_preview(actor: CurrentActor, session: SessionDep) -> CloseOut:
    """What closing your account keeps and for how long, and, where you may delete your data
    here, what that erases and what the law keeps, until when."""
    preview = self_service.erasure_preview(session, actor)
    offer = preview.offer
    erasure = (
        ErasureOfferOut(
            offered_here=offer.channel is not None,
            password=True,
            other_ways=offer.other_ways,
            erased=preview.erased,
            kept=[KeptOut(**k.__dict__) for k in preview.kept],
            held=preview.held,
            grace=preview.grace,
        )
        if offer is not None
        else None
    )
    return CloseOut(kept=_kept_now(session), erasure=erasure)


@router.post("/close")
def close_account(
    body: CloseIn,
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> ClosedOut:
    """Close your account: every session ends and sign-in is refused from now on. With
    `delete` (and your `password`), your data is erased after the grace period, unless you
    cancel with the link we mail you."""
    if body.delete:
        done = self_service.close_and_erase(session, settings, actor, body.password or "")
        clear_session_cookies(response)
        return ClosedOut(
            status="closed",
            closed_at=done.closed_at,
            mailed=done.mailed,
            erasure_reference=done.reference,
            erasure_scheduled_for=done.scheduled_for,
        )
    closed = closing.close_own(session, actor)
    session.commit()
    mailed = closing.confirm(session, settings, closed)
    clear_session_cookies(response)
    return ClosedOut(status="closed", closed_at=closed.closed_at, mailed=mailed)


@router.post("/erasure/cancel")
def cancel_erasure(body: TokenIn, session: SessionDep, settings: SettingsDep) -> StatusOut:
    """Follow the link mailed when you closed your account and asked to delete your data:
    during the grace period the erasure is cancelled and your account reopened. Needs no
    session (the account is closed)."""
    self_service.cancel(session, settings, body.token)
    return StatusOut(status="cancelled", detail="The erasure is cancelled; you can sign in again.")
