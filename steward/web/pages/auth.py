"""HTML pages: sign-in, registration, e-mail links and MFA pages.

Plain forms that work without JavaScript. Each successful POST redirects (303), except the
two that show a secret once (the MFA secret and the recovery codes), which must not live at a
URL. The links mailed by steward.identity land on GET pages that only show a button: mail
scanners fetch links, so only the POST consumes the token.
"""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from steward.core.errors import DomainError, Invalid
from steward.identity import mfa, profile, registration, reset, sessions, signin
from steward.identity.errors import Throttled
from steward.identity.inputs import (
    CodeIn,
    NewPasswordIn,
    RegisterIn,
    SetPasswordIn,
    SignInIn,
    TokenIn,
)
from steward.policy.schema import Policy
from steward.rights import self_service
from steward.web.auth import (
    SettingsDep,
    clear_session_cookies,
    client_ip,
    csrf_guard,
    set_session_cookies,
)
from steward.web.deps import SessionDep
from steward.web.gpc import honour_signal
from steward.web.pages.kit import (
    RESET_STEP,
    PageCurrent,
    PageRoute,
    SeeOther,
    Viewer,
    current_or_none,
    failed,
    form_input,
    home_of,
    mfa_step,
    note_viewer,
    render,
    safe_next,
    sign_in_url,
    viewer_of,
)

router = APIRouter(
    include_in_schema=False,
    route_class=PageRoute,
    dependencies=[Depends(csrf_guard), Depends(note_viewer)],
)

EMAIL_MAX, PASSWORD_MAX, NAME_MAX, TOKEN_MAX = 254, 1000, 200, 200

NOTICES = {
    "verified": "Your email address is confirmed. You can sign in now.",
    "guardian": "Your email address is confirmed. A parent or guardian must also consent "
    "before the account can be used.",
    "unlocked": "Your account is unlocked. You can sign in now.",
    "password_set": "Your password is set. Sign in to continue.",
    "email_changed": "Your email address is changed. Use the new one to sign in.",
    "signed_out": "You are signed out.",
    "erasure_cancelled": "The erasure is cancelled and your account is open again. You can "
    "sign in now.",
}

FormText = Annotated[str, Form()]
NextField = Annotated[str, Form(alias="next")]
NextQuery = Annotated[str, Query(alias="next")]


# How the account pages label their fields, for form_input's messages.
LABELS = {
    "email": "Email",
    "password": "Password",
    "name": "Name",
    "birth_date": "Date of birth",
    "guardian_name": "Parent's or guardian's name",
    "guardian_email": "Parent's or guardian's email",
    "code": "Code",
    "token": "Link",
}


def _token(token: str) -> str:
    return form_input(TokenIn, {"token": token}, LABELS).token


def _with_next(path: str, target: str) -> str:
    return f"{path}?next={quote(target, safe='/')}" if target else path


def _error_page(
    request: Request, template: str, context: dict[str, Any], error: DomainError
) -> HTMLResponse:
    response = render(
        request, template, {**context, "error": error.message}, status_code=error.status
    )
    if isinstance(error, Throttled):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _account_home(role: str) -> str:
    return "/portal/account" if role == "customer" else "/desk"


# Sign-in and sign-out


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(
    request: Request, session: SessionDep, next_: NextQuery = "", notice: str = ""
) -> Response:
    current = current_or_none(request, session)
    if current is not None and current.mfa_passed:
        return RedirectResponse(safe_next(next_, home_of(current.actor.role)), status_code=303)
    context = {"next": safe_next(next_, ""), "notice": NOTICES.get(notice), "email": ""}
    return render(request, "account/sign_in.html", context, viewer=viewer_of(current))


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: FormText = "",
    password: FormText = "",
    next_: NextField = "",
) -> Response:
    target = safe_next(next_, "")
    try:
        asked = form_input(SignInIn, {"email": email.strip(), "password": password}, LABELS)
        started = signin.sign_in(session, settings, asked.email, asked.password, client_ip(request))
    except DomainError as error:
        failed(session, error)
        context = {"next": target, "email": email[:EMAIL_MAX]}
        return _error_page(request, "account/sign_in.html", context, error)
    honour_signal(request, session, settings, started)
    if started.new_password_required:
        location = _with_next(RESET_STEP, target)
    elif started.mfa_enrolment_required:
        location = _with_next("/mfa/enrol", target)
    elif not started.mfa_passed:
        location = _with_next("/mfa", target)
    else:
        location = target or home_of(started.role)
    response = RedirectResponse(location, status_code=303)
    set_session_cookies(request, response, started)
    return response


@router.post("/sign-out")
def sign_out(request: Request, session: SessionDep) -> Response:
    """End this session (the router's CSRF guard has checked the form's token)."""
    current = current_or_none(request, session)
    if current is not None:
        sessions.end(session, current.session_id)
    response = RedirectResponse("/sign-in?notice=signed_out", status_code=303)
    clear_session_cookies(response)
    return response


# Multi-factor authentication


@router.get("/mfa", response_class=HTMLResponse)
def mfa_form(request: Request, session: SessionDep, next_: NextQuery = "") -> Response:
    current = current_or_none(request, session)
    if current is None:
        raise SeeOther(sign_in_url(request))
    target = safe_next(next_, "")
    if current.mfa_passed:
        return RedirectResponse(target or home_of(current.actor.role), status_code=303)
    if (step := mfa_step(session, current)) != "/mfa":
        return RedirectResponse(_with_next(step, target), status_code=303)
    return render(request, "account/mfa.html", {"next": target}, viewer=viewer_of(current))


@router.post("/mfa", response_class=HTMLResponse)
def mfa_pass(
    request: Request,
    current: PageCurrent,
    session: SessionDep,
    settings: SettingsDep,
    code: FormText = "",
    next_: NextField = "",
) -> Response:
    target = safe_next(next_, "")
    try:
        asked = form_input(CodeIn, {"code": code}, LABELS)
        mfa.verify(session, settings, current.actor, current.session_id, asked.code)
    except DomainError as error:
        failed(session, error)
        return _error_page(request, "account/mfa.html", {"next": target}, error)
    return RedirectResponse(target or home_of(current.actor.role), status_code=303)


@router.get("/mfa/enrol", response_class=HTMLResponse)
def mfa_enrol_start(request: Request, session: SessionDep, next_: NextQuery = "") -> Response:
    current = current_or_none(request, session)
    if current is None:
        raise SeeOther(sign_in_url(request))
    target = safe_next(next_, "")
    if (step := mfa_step(session, current)) == RESET_STEP:
        return RedirectResponse(_with_next(step, target), status_code=303)
    if step == "/mfa":  # already enrolled
        if current.mfa_passed:
            return RedirectResponse(_account_home(current.actor.role), status_code=303)
        return RedirectResponse(_with_next("/mfa", target), status_code=303)
    context = {"next": target, "required": not current.mfa_passed}
    return render(request, "account/mfa_enrol.html", context, viewer=viewer_of(current))


@router.post("/mfa/enrol", response_class=HTMLResponse)
def mfa_enrol(
    request: Request, current: PageCurrent, session: SessionDep, next_: NextField = ""
) -> Response:
    """Make a new secret and show it, once, with the form to confirm it with a first code."""
    target = safe_next(next_, "")
    try:
        enrolment = mfa.enrol(session, current.actor)
    except DomainError as error:
        failed(session, error)
        return _error_page(request, "account/mfa_enrol.html", {"next": target}, error)
    context = {"next": target, "secret": enrolment.secret, "uri": enrolment.uri}
    return render(request, "account/mfa_confirm.html", context)


@router.post("/mfa/enrol/confirm", response_class=HTMLResponse)
def mfa_enrol_confirm(
    request: Request,
    current: PageCurrent,
    session: SessionDep,
    settings: SettingsDep,
    code: FormText = "",
    next_: NextField = "",
) -> Response:
    """Turn MFA on with a first code and show the recovery codes, this once."""
    target = safe_next(next_, "")
    try:
        asked = form_input(CodeIn, {"code": code}, LABELS)
        codes = mfa.confirm(session, settings, current.actor, current.session_id, asked.code)
    except DomainError as error:
        failed(session, error)
        return _error_page(request, "account/mfa_confirm.html", {"next": target}, error)
    request.state.viewer = Viewer(current.actor.role, mfa_passed=True)
    context = {"codes": codes, "next": target or home_of(current.actor.role)}
    return render(request, "account/recovery_codes.html", context)


# A reset forced on the account (X6): a new password first, then MFA enrolled anew


@router.get(RESET_STEP, response_class=HTMLResponse)
def new_password_form(request: Request, session: SessionDep, next_: NextQuery = "") -> Response:
    current = current_or_none(request, session)
    if current is None:
        raise SeeOther(sign_in_url(request))
    target = safe_next(next_, "")
    if (step := mfa_step(session, current)) != RESET_STEP:
        return RedirectResponse(_with_next(step, target), status_code=303)
    return render(request, "account/new_password.html", {"next": target}, viewer=viewer_of(current))


@router.post(RESET_STEP, response_class=HTMLResponse)
def new_password(
    request: Request,
    current: PageCurrent,
    session: SessionDep,
    password: FormText = "",
    confirm: FormText = "",
    next_: NextField = "",
) -> Response:
    """Set the new password the reset asks for, then go on to set up MFA again."""
    target = safe_next(next_, "")
    try:
        if password != confirm:
            raise Invalid("The two passwords differ: type the same password twice.")
        asked = form_input(NewPasswordIn, {"password": password}, LABELS)
        reset.choose_password(session, current.actor, current.session_id, asked.password)
    except DomainError as error:
        failed(session, error)
        return _error_page(request, "account/new_password.html", {"next": target}, error)
    return RedirectResponse(_with_next("/mfa/enrol", target), status_code=303)


# Registration


def _asks_birth_date(request: Request) -> bool:
    policy: Policy = request.app.state.active_policy.policy
    return policy.children is not None


def _register_context(request: Request, form: dict[str, str]) -> dict[str, object]:
    policy: Policy = request.app.state.active_policy.policy
    age = policy.children.minimum_age if policy.children else None
    return {"ask_birth_date": age is not None, "minimum_age": age, "form": form}


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request, session: SessionDep) -> Response:
    current = current_or_none(request, session)
    if current is not None and current.mfa_passed:
        return RedirectResponse(home_of(current.actor.role), status_code=303)
    context = _register_context(request, {})
    return render(request, "account/register.html", context, viewer=viewer_of(current))


@router.post("/register", response_class=HTMLResponse)
def register(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    name: FormText = "",
    email: FormText = "",
    password: FormText = "",
    birth_date: FormText = "",
    guardian_name: FormText = "",
    guardian_email: FormText = "",
) -> Response:
    asks = _asks_birth_date(request)
    kept = {
        "name": name[:NAME_MAX],
        "email": email[:EMAIL_MAX],
        "birth_date": birth_date[:20],
        "guardian_name": guardian_name[:NAME_MAX],
        "guardian_email": guardian_email[:EMAIL_MAX],
    }
    try:
        values = {"email": email.strip(), "password": password, "name": name.strip()}
        if asks:
            values |= {
                "birth_date": birth_date.strip(),
                "guardian_name": guardian_name.strip(),
                "guardian_email": guardian_email.strip(),
            }
        form = form_input(RegisterIn, values, LABELS)
        status = registration.register(session, settings, form)
    except DomainError as error:
        failed(session, error)
        context = _register_context(request, kept)
        return _error_page(request, "account/register.html", context, error)
    guardian = "?guardian=1" if status == "pending_guardian" else ""
    return RedirectResponse(f"/register/sent{guardian}", status_code=303)


@router.get("/register/sent", response_class=HTMLResponse)
def registered(request: Request, guardian: str = "") -> Response:
    return render(request, "account/registered.html", {"guardian": guardian == "1"})


# Links mailed by identity: GET shows a button, POST consumes the token.

LINKS: dict[str, dict[str, str]] = {
    "/verify-email": {
        "title": "Confirm your email address",
        "text": "Press the button to confirm that this address is yours.",
        "button": "Confirm my address",
    },
    "/unlock": {
        "title": "Unlock your account",
        "text": "Press the button to unlock your account. You can then sign in again.",
        "button": "Unlock my account",
    },
    "/confirm-email": {
        "title": "Confirm your new email address",
        "text": "Press the button to use this address for your account from now on.",
        "button": "Use this address",
    },
    "/account/cancel-erasure": {
        "title": "Keep your data",
        "text": "Press the button to cancel the erasure of your data and reopen your account.",
        "button": "Cancel the erasure and reopen my account",
    },
}


def _link_page(
    request: Request, path: str, token: str, error: DomainError | None = None
) -> HTMLResponse:
    context = {**LINKS[path], "action": path, "token": token[:TOKEN_MAX]}
    if error is not None:
        return _error_page(request, "account/link.html", context, error)
    if not token:
        return _error_page(
            request,
            "account/link.html",
            context,
            Invalid("This link is incomplete: copy the whole link from the mail."),
        )
    return render(request, "account/link.html", context)


@router.get("/verify-email", response_class=HTMLResponse)
def verify_email_form(request: Request, token: str = "") -> Response:
    return _link_page(request, "/verify-email", token)


@router.post("/verify-email", response_class=HTMLResponse)
def verify_email(request: Request, session: SessionDep, token: FormText = "") -> Response:
    try:
        status = registration.verify_email(session, _token(token))
    except DomainError as error:
        failed(session, error)
        return _link_page(request, "/verify-email", token, error)
    notice = "guardian" if status == "pending_guardian" else "verified"
    return RedirectResponse(f"/sign-in?notice={notice}", status_code=303)


@router.get("/unlock", response_class=HTMLResponse)
def unlock_form(request: Request, token: str = "") -> Response:
    return _link_page(request, "/unlock", token)


@router.post("/unlock", response_class=HTMLResponse)
def unlock(request: Request, session: SessionDep, token: FormText = "") -> Response:
    try:
        signin.unlock(session, _token(token))
    except DomainError as error:
        failed(session, error)
        return _link_page(request, "/unlock", token, error)
    return RedirectResponse("/sign-in?notice=unlocked", status_code=303)


@router.get("/account/cancel-erasure", response_class=HTMLResponse)
def cancel_erasure_form(request: Request, session: SessionDep, token: str = "") -> Response:
    """The link mailed when a customer closed their account and asked to delete their data."""
    try:
        if token and self_service.cancel_pending(session, token[:TOKEN_MAX]) is None:
            raise Invalid("There is no erasure left to cancel: it has started or is done.")
    except DomainError as error:
        return _link_page(request, "/account/cancel-erasure", token, error)
    return _link_page(request, "/account/cancel-erasure", token)


@router.post("/account/cancel-erasure", response_class=HTMLResponse)
def cancel_erasure(
    request: Request, session: SessionDep, settings: SettingsDep, token: FormText = ""
) -> Response:
    try:
        self_service.cancel(session, settings, _token(token))
    except DomainError as error:
        failed(session, error)
        return _link_page(request, "/account/cancel-erasure", token, error)
    return RedirectResponse("/sign-in?notice=erasure_cancelled", status_code=303)


@router.get("/confirm-email", response_class=HTMLResponse)
def confirm_email_form(request: Request, token: str = "") -> Response:
    return _link_page(request, "/confirm-email", token)


@router.post("/confirm-email", response_class=HTMLResponse)
def confirm_email(
    request: Request, session: SessionDep, settings: SettingsDep, token: FormText = ""
) -> Response:
    try:
        profile.confirm_email_change(session, settings, _token(token))
    except DomainError as error:
        failed(session, error)
        return _link_page(request, "/confirm-email", token, error)
    current = current_or_none(request, session)
    if current is not None and current.actor.role == "customer" and current.mfa_passed:
        return RedirectResponse("/portal/account?notice=email_changed", status_code=303)
    return RedirectResponse("/sign-in?notice=email_changed", status_code=303)


@router.get("/set-password", response_class=HTMLResponse)
def set_password_form(request: Request, token: str = "") -> Response:
    context = {"token": token[:TOKEN_MAX]}
    if not token:
        error = Invalid("This link is incomplete: copy the whole link from the mail.")
        return _error_page(request, "account/set_password.html", context, error)
    return render(request, "account/set_password.html", context)


@router.post("/set-password", response_class=HTMLResponse)
def set_password(
    request: Request,
    session: SessionDep,
    token: FormText = "",
    password: FormText = "",
    confirm: FormText = "",
) -> Response:
    try:
        if password != confirm:
            raise Invalid("The two passwords differ: type the same password twice.")
        asked = form_input(SetPasswordIn, {"token": token, "password": password}, LABELS)
        signin.set_password(session, asked.token, asked.password)
    except DomainError as error:
        failed(session, error)
        context = {"token": token[:TOKEN_MAX]}
        return _error_page(request, "account/set_password.html", context, error)
    return RedirectResponse("/sign-in?notice=password_set", status_code=303)
