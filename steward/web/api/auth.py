"""JSON API, /api/v1/auth: register, verify, sign in and out, MFA, unlock, set a password."""

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from steward.identity import mfa, registration, reset, sessions, signin
from steward.identity.inputs import (
    CodeIn,
    NewPasswordIn,
    RegisterIn,
    SetPasswordIn,
    SignInIn,
    TokenIn,
)
from steward.web.auth import (
    SettingsDep,
    SignedIn,
    clear_session_cookies,
    client_ip,
    csrf_guard,
    set_session_cookies,
)
from steward.web.deps import SessionDep
from steward.web.gpc import honour_signal

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], dependencies=[Depends(csrf_guard)])


class StatusOut(BaseModel):
    status: str
    detail: str


class SignInOut(BaseModel):
    account_id: str
    role: str
    csrf_token: str
    mfa_passed: bool
    # "ready", "mfa" (enter a code), "mfa_enrol" (staff must enrol first) or "new_password"
    # (a reset was forced: a new password, then MFA enrolled anew)
    next: str


class EnrolOut(BaseModel):
    secret: str
    otpauth_uri: str


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str]
    detail: str


@router.post("/register", status_code=202)
def register(body: RegisterIn, session: SessionDep, settings: SettingsDep) -> StatusOut:
    """Open a customer account. The answer is the same whether or not the address already has
    an account; its owner is told by mail either way."""
    status = registration.register(session, settings, body)
    detail = (
        "Check your email to confirm your address. We have asked your parent or guardian to "
        "consent; the account can be used once they have."
        if status == "pending_guardian"
        else "Check your email to confirm your address."
    )
    return StatusOut(status=status, detail=detail)


@router.post("/verify-email")
def verify_email(body: TokenIn, session: SessionDep) -> StatusOut:
    status = registration.verify_email(session, body.token)
    return StatusOut(status=status, detail="Your email address is confirmed.")


@router.post("/sign-in")
def sign_in(
    body: SignInIn,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> SignInOut:
    started = signin.sign_in(session, settings, body.email, body.password, client_ip(request))
    honour_signal(request, session, settings, started)
    set_session_cookies(request, response, started)
    step = "ready"
    if started.new_password_required:
        step = "new_password"
    elif started.mfa_enrolment_required:
        step = "mfa_enrol"
    elif not started.mfa_passed:
        step = "mfa"
    return SignInOut(
        account_id=started.account_id,
        role=started.role,
        csrf_token=started.csrf,
        mfa_passed=started.mfa_passed,
        next=step,
    )


@router.post("/new-password")
def new_password(body: NewPasswordIn, current: SignedIn, session: SessionDep) -> StatusOut:
    """After a forced reset: the new password (not the old one); then enrol MFA anew."""
    reset.choose_password(session, current.actor, current.session_id, body.password)
    return StatusOut(status="mfa_enrol", detail="Your new password is set; now set up MFA.")


@router.post("/mfa/enrol")
def mfa_enrol(current: SignedIn, session: SessionDep) -> EnrolOut:
    enrolment = mfa.enrol(session, current.actor)
    return EnrolOut(secret=enrolment.secret, otpauth_uri=enrolment.uri)


@router.post("/mfa/verify")
def mfa_verify(
    body: CodeIn, current: SignedIn, session: SessionDep, settings: SettingsDep
) -> RecoveryCodesOut:
    """Confirm the enrolment with a first code; the recovery codes are shown this once."""
    codes = mfa.confirm(session, settings, current.actor, current.session_id, body.code)
    return RecoveryCodesOut(
        recovery_codes=codes,
        detail="Keep these codes somewhere safe: each signs you in once without your app.",
    )


@router.post("/mfa")
def mfa_pass(
    body: CodeIn, current: SignedIn, session: SessionDep, settings: SettingsDep
) -> StatusOut:
    """Pass MFA for this session with a code from the app or an unused recovery code."""
    mfa.verify(session, settings, current.actor, current.session_id, body.code)
    return StatusOut(status="ready", detail="Signed in.")


@router.post("/sign-out")
def sign_out(current: SignedIn, response: Response, session: SessionDep) -> StatusOut:
    sessions.end(session, current.session_id)
    clear_session_cookies(response)
    return StatusOut(status="signed_out", detail="Signed out.")


@router.post("/sign-out-everywhere")
def sign_out_everywhere(current: SignedIn, response: Response, session: SessionDep) -> StatusOut:
    """End every session of the account, this one included."""
    if current.actor.account_id is not None:
        sessions.end_everywhere(session, current.actor.account_id)
    clear_session_cookies(response)
    return StatusOut(status="signed_out", detail="Signed out on every device.")


@router.post("/unlock")
def unlock(body: TokenIn, session: SessionDep) -> StatusOut:
    signin.unlock(session, body.token)
    return StatusOut(status="unlocked", detail="Your account is unlocked; you can sign in.")


@router.post("/set-password")
def set_password(body: SetPasswordIn, session: SessionDep) -> StatusOut:
    signin.set_password(session, body.token, body.password)
    return StatusOut(status="active", detail="Your password is set; you can sign in.")
