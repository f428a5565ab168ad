"""HTML pages: "Your data" in the customer portal, and closing one's account.

`/portal/data` offers each right the policy offers at `portal` or `account_settings` as a short
form posting to the rights intake (with the password again where the policy asks it), names
the other ways for every other right, lists the person's requests and the exports ready to
download. `/portal/account/close` shows what closing keeps, and until when, and closes the
account, or closes it and deletes the data where the policy offers erasure here (R3).
"""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import DomainError, NotFound
from steward.identity import closing
from steward.incidents import notices as incident_notices
from steward.policy.active import policy_of
from steward.rights import queries, self_service
from steward.web.auth import SettingsDep, clear_session_cookies, csrf_guard
from steward.web.deps import SessionDep
from steward.web.pages.kit import (
    PageCustomer,
    PageRoute,
    Viewer,
    failed,
    file_response,
    form_input,
    render,
)

router = APIRouter(
    prefix="/portal",
    include_in_schema=False,
    route_class=PageRoute,
    dependencies=[Depends(csrf_guard)],
)

FormText = Annotated[str, Form()]
FormList = Annotated[list[str], Form()]
ASK_FIELDS = {"kind": "Right", "details": "Details", "purposes": "Uses", "password": "Password"}
STATUS_WORDS = {
    "unverified": "Waiting for you to confirm it",
    "open": "In progress",
    "scheduled": "Scheduled",
    "erasing": "Being erased",
    "done": "Done",
    "refused": "Refused",
    "cancelled": "Cancelled",
    "lapsed": "Lapsed (never confirmed)",
}
NOTICES = {
    "asked": "Your request is made. We sent you a confirmation by mail.",
    "code": "Your request is made. Enter the code we mailed you in the privacy center to "
    "confirm it is yours.",
}


def _purposes(session: Session, basis: str) -> list[tuple[str, str]]:
    policy = policy_of(session)
    return [(k, p.name) for k, p in policy.purposes.items() if p.lawful_basis == basis]


def _data_context(session: Session, actor: Actor) -> dict[str, Any]:
    policy = policy_of(session)
    found = self_service.offers(policy)
    return {
        "here": [o for o in found if o.channel],
        "elsewhere": [o for o in found if not o.channel],
        "downloads": self_service.downloads(session, actor),
        "requests": queries.mine(session, actor),
        "incident_notices": incident_notices.of_person(session, actor.person_id),
        "labels": queries.KIND_LABELS,
        "status_words": STATUS_WORDS,
        "objectable": _purposes(session, "legitimate_interests"),
        "withdrawable": _purposes(session, "consent"),
        "privacy_contact": policy.controller.privacy_contact,
        "notices": [],
        "typed": {},
    }


@router.get("/data", response_class=HTMLResponse)
def data_page(
    request: Request,
    actor: PageCustomer,
    session: SessionDep,
    notice: str = "",
    reference: str = "",
) -> Response:
    context = _data_context(session, actor)
    if notice in NOTICES:
        suffix = f" Its reference is {reference[:20]}." if reference else ""
        context["notices"] = [NOTICES[notice] + suffix]
    return render(request, "portal/data.html", context)


@router.post("/data/ask", response_class=HTMLResponse)
def ask(
    request: Request,
    actor: PageCustomer,
    session: SessionDep,
    settings: SettingsDep,
    kind: FormText = "",
    password: FormText = "",
    details: FormText = "",
    purposes: FormList = [],  # noqa: B006 (FastAPI copies the default)
) -> Response:
    typed = {"kind": kind, "details": details, "purposes": purposes}
    try:
        asked = form_input(self_service.RightIn, {**typed, "password": password}, ASK_FIELDS)
        opened = self_service.ask(
            session,
            settings,
            actor,
            asked.kind,
            password=asked.password,
            purposes=asked.purposes,
            details=asked.details,
        )
    except DomainError as error:
        failed(session, error)
        context = {**_data_context(session, actor), "error": error.message, "typed": typed}
        return render(request, "portal/data.html", context, status_code=error.status)
    notice = "code" if opened.status == "unverified" else "asked"
    return RedirectResponse(
        f"/portal/data?notice={notice}&reference={quote(opened.reference)}", status_code=303
    )


@router.get("/data/downloads/{file_id}")
def download(
    request: Request, file_id: str, actor: PageCustomer, session: SessionDep, settings: SettingsDep
) -> Response:
    """One's own export, as a download; anyone else's is "not found"."""
    try:
        filename, content_type, data = self_service.download(session, settings, actor, file_id[:36])
    except NotFound as error:
        failed(session, error)
        context = {"title": "Not found", "detail": error.message}
        return render(request, "portal/not_found.html", context, status_code=404)
    return file_response(data, content_type, filename)


# Closing the account


def _close_context(session: Session, actor: Actor) -> dict[str, Any]:
    policy = policy_of(session)
    return {
        "kept": closing.kept_after_closing(policy, clock.now()),
        "preview": self_service.erasure_preview(session, actor),
        "privacy_contact": policy.controller.privacy_contact,
    }


@router.get("/account/close", response_class=HTMLResponse)
def close_page(request: Request, actor: PageCustomer, session: SessionDep) -> Response:
    return render(request, "portal/close.html", _close_context(session, actor))


def _signed_out(request: Request, context: dict[str, Any]) -> HTMLResponse:
    """The answer page after closing: the session is over, so the nav shows no account."""
    response = render(request, "portal/closed.html", context, viewer=Viewer())
    clear_session_cookies(response)
    return response


@router.post("/account/close", response_class=HTMLResponse)
def close(
    request: Request, actor: PageCustomer, session: SessionDep, settings: SettingsDep
) -> Response:
    """Close the account, keeping the data as the policy says."""
    try:
        closed = closing.close_own(session, actor)
        session.commit()
    except DomainError as error:
        failed(session, error)
        context = {**_close_context(session, actor), "error": error.message}
        return render(request, "portal/close.html", context, status_code=error.status)
    mailed = closing.confirm(session, settings, closed)
    kept = closing.kept_after_closing(policy_of(session), closed.closed_at)
    return _signed_out(request, {"closed": closed, "kept": kept, "mailed": mailed})


@router.post("/account/close-and-delete", response_class=HTMLResponse)
def close_and_delete(
    request: Request,
    actor: PageCustomer,
    session: SessionDep,
    settings: SettingsDep,
    password: FormText = "",
) -> Response:
    """Close the account and delete its data, with the password again (R3)."""
    try:
        preview = self_service.erasure_preview(session, actor)
        done = self_service.close_and_erase(session, settings, actor, password)
    except DomainError as error:
        failed(session, error)
        context = {**_close_context(session, actor), "delete_error": error.message}
        return render(request, "portal/close.html", context, status_code=error.status)
    return _signed_out(request, {"erasure": done, "preview": preview, "mailed": done.mailed})
