"""Pages for a child's parent or guardian (C3), reached by mailed links, no sign-in: the
consent page (`/guardian/consent`: what is collected, who receives it, consent to the account
and, separately, to third parties), the request for an access link (`/guardian`), and the
child's data with the requests a guardian may make (`/guardian/child`)."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from steward.core.errors import DomainError, Invalid
from steward.identity import guardians
from steward.rights import intake
from steward.web.auth import SettingsDep, client_ip
from steward.web.deps import SessionDep
from steward.web.pages.kit import failed, render

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Query(max_length=200)]
FormText = Annotated[str, Form(max_length=300)]


def _problem(request: Request, template: str, error: DomainError, **context: object) -> Response:
    return render(request, template, {**context, "error": error.message}, status_code=error.status)


def _consent_page(
    request: Request, session: Session, token: str, error: DomainError | None = None
) -> Response:
    """The consent page for the link, with the error of a refused answer when there is one."""
    template = "guardian/consent.html"
    try:
        notice = guardians.consent_notice(session, token)
    except DomainError as problem:
        failed(session, problem)
        return _problem(request, template, error or problem)
    session.commit()  # the audit of what was read
    if error is not None:
        return _problem(request, template, error, notice=notice, token=token)
    return render(request, template, {"notice": notice, "token": token})


@router.get("/guardian/consent", response_class=HTMLResponse)
def consent_page(request: Request, session: SessionDep, token: Token = "") -> Response:
    return _consent_page(request, session, token)


@router.post("/guardian/consent", response_class=HTMLResponse)
def consent(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Token = "",
    account: FormText = "",
    third_parties: FormText = "",
    text_sha256: FormText = "",
) -> Response:
    try:
        status = guardians.give_consent(
            session,
            settings,
            token,
            account=account == "yes",
            third_parties=third_parties == "yes",
            text_sha256=text_sha256,
            ip=client_ip(request),
        )
    except DomainError as error:
        failed(session, error)
        return _consent_page(request, session, token, error)
    return render(request, "guardian/consented.html", {"active": status == "active"})


@router.get("/guardian", response_class=HTMLResponse)
def ask_page(request: Request) -> Response:
    return render(request, "guardian/ask.html", {})


@router.post("/guardian", response_class=HTMLResponse)
def ask(
    request: Request, session: SessionDep, settings: SettingsDep, email: FormText = ""
) -> Response:
    """Mail an access link; the answer is the same whether or not the address is known."""
    if "@" not in email:
        error = Invalid("Enter the email address you gave when you consented.")
        return _problem(request, "guardian/ask.html", error, email=email)
    guardians.ask_access(session, settings, email)
    return render(request, "guardian/ask.html", {"sent": True})


@router.get("/guardian/child", response_class=HTMLResponse)
def child_page(request: Request, session: SessionDep, token: Token = "") -> Response:
    try:
        child = guardians.child_view(session, token)
    except DomainError as error:
        failed(session, error)
        return _problem(request, "guardian/child.html", error)
    session.commit()
    return render(request, "guardian/child.html", {"child": child, "token": token})


@router.post("/guardian/child", response_class=HTMLResponse)
def child_request(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Token = "",
    kind: FormText = "",
) -> Response:
    """Ask for a copy or the erasure of the child's data; the link is used up."""
    try:
        opened = intake.open_for_child(
            session, settings, guardians.use_access(session, token), kind
        )
    except DomainError as error:
        failed(session, error)
        return _problem(request, "guardian/child.html", error)
    return render(request, "guardian/child.html", {"opened": opened, "kind": kind})
