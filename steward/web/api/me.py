"""JSON API, /api/v1/me: the signed-in person's own data, to see and correct (R2)."""

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from steward.identity import profile
from steward.web.api.auth import EmailText, StatusOut
from steward.web.auth import CurrentActor, SettingsDep, csrf_guard
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


class TokenBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(max_length=200)


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
def confirm_email(body: TokenBody, session: SessionDep, settings: SettingsDep) -> StatusOut:
    """Follow the link sent to the new address; needs no session (it may be another device)."""
    profile.confirm_email_change(session, settings, body.token)
    return StatusOut(status="changed", detail="Your email address is changed.")
