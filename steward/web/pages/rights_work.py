"""HTML pages: the privacy officer's rights requests at /dpo.

The queue, soonest due first, with due-soon and overdue marked and the time each request
waited for the person to confirm it; a request's page with who asked (read through the gate,
audited), its timeline and documents; logging a request made by phone, by post or in person
on the person's behalf; and the officer's decisions: accept a document,
extend the deadline, refuse, answer an inquiry, fulfil, preview and approve an erasure or
cancel it during its grace, lift a restriction. Privacy officers only: other staff get a
refusal, customers go to the portal, anonymous visitors to sign in. No JavaScript needed.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import DomainError, Invalid
from steward.policy.active import policy_of
from steward.policy.channels import NAMES, OFFICER_LOGGED
from steward.retention import holds, reports
from steward.rights import deadlines, effects, erasure, logged, queries, review, verify
from steward.rights.common import get_request
from steward.rights.fulfil import fulfil
from steward.rights.queries import CORRECTION_FIELDS, STATUS_NAMES
from steward.web.auth import SettingsDep, csrf_guard
from steward.web.deps import SessionDep
from steward.web.pages.kit import Officer, PageRoute, failed, form_input, render

router = APIRouter(
    prefix="/dpo",
    include_in_schema=False,
    route_class=PageRoute,
    dependencies=[Depends(csrf_guard)],
)
FormText = Annotated[str, Form()]
NOTICES = {
    "verified": "The document is accepted and removed; the request is verified.",
    "extended": "The deadline is extended; the person was mailed the reason.",
    "refused": "The request is refused; the person was mailed the reason.",
    "answered": "The answer is mailed and kept with the request.",
    "fulfilled": "The request is fulfilled; the person was told.",
    "exported": "The export is ready; the person was mailed a one-time download token.",
    "scheduled": "The erasure is scheduled; it runs when the grace period ends.",
    "cancelled": "The erasure is cancelled; the person was told.",
    "lifted": "The restriction is lifted; the person and the recipients are told.",
    "withheld": "The item is withheld from the export; the report names it and why.",
    "included": "The item is in the export again.",
    "logged": "The request is logged; its clock runs from the date it was received.",
}
CHANNEL_NAMES = {"api": "in the privacy center (API)", **NAMES}
LOG_FIELDS = {
    "kind": "What the person asks for",
    "channel": "How they asked",
    "received": "Date received",
    "name": "Their name",
    "email": "Their email address",
    "person_id": "The person's id in the desk",
    "checked": "How the identity was checked",
    "note": "How you checked it",
    "details": "What they asked",
}
DECISION_FIELDS = {"days": "Days to extend by", "reason": "Reason", "text": "Answer"}


@router.get("", response_class=HTMLResponse)
def queue(
    request: Request, officer: Officer, session: SessionDep, closed: bool = False
) -> Response:
    items = queries.queue(session, officer, include_closed=closed)
    context = {
        "items": items,
        "closed": closed,
        "labels": queries.KIND_LABELS,
        "channels": CHANNEL_NAMES,
        "statuses": STATUS_NAMES,
        "last_sweep": next(iter(reports.recent(session, officer, limit=1)), None),
        "holds_to_review": sum(h.needs_review for h in holds.listing(session, officer)),
    }
    return render(request, "dpo/queue.html", context)


def _request_page(
    request: Request,
    session: Session,
    officer: Actor,
    request_id: str,
    extra: dict[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    detail = queries.detail(session, officer, request_id)
    kind, status = detail.item.kind, detail.item.status
    preview = None
    if kind in erasure.ERASURE_KINDS and status in ("open", "scheduled"):
        preview = erasure.preview(session, officer, request_id)
    if kind in review.ACCESS_KINDS and status == "open" and detail.person_id:
        extra = {"export_review": review.review(session, officer, request_id), **extra}
    right = policy_of(session).rights.get(kind) if kind != "inquiry" else None  # type: ignore[call-overload]
    context = {
        "detail": detail,
        "item": detail.item,
        "kind_label": queries.label(kind),
        "channels": CHANNEL_NAMES,
        "statuses": STATUS_NAMES,
        "preview": preview,
        "extension_days": right.extension_days if right is not None else 0,
        "corrections": CORRECTION_FIELDS,
        "is_erasure": kind in erasure.ERASURE_KINDS,
        "notices": [],
        "review_reasons": review.REASONS,
        "typed": {},
        **extra,
    }
    return render(request, "dpo/request.html", context, status_code=status_code)


def _loggable(session: Session) -> dict[str, str]:
    """The kinds of request the policy takes by phone, by post or in person."""
    policy = policy_of(session)
    found = {}
    for kind, label in queries.KIND_LABELS.items():
        if kind == "inquiry":
            channels = policy.inquiries.channels
        else:
            right = policy.rights.get(kind)  # type: ignore[call-overload]
            if right is None or not right.offered:
                continue
            channels = right.channels
        if set(channels) & set(OFFICER_LOGGED):
            found[kind] = label
    return found


def _log_page(
    request: Request, session: Session, form: dict[str, str], error: str | None, status: int
) -> HTMLResponse:
    context = {
        "kinds": _loggable(session),
        "channels": {c: NAMES[c].capitalize() for c in OFFICER_LOGGED},
        "checks": {k: v.capitalize() for k, v in logged.CHECKS.items()},
        "form": form,
        "error": error,
        "today": clock.now().date().isoformat(),
    }
    return render(request, "dpo/log.html", context, status_code=status)


@router.get("/log", response_class=HTMLResponse)
def log_form(request: Request, officer: Officer, session: SessionDep) -> Response:
    """The form to log a request taken by phone, by post or in person."""
    return _log_page(request, session, {}, None, 200)


@router.post("/log", response_class=HTMLResponse)
async def log_request(
    request: Request, officer: Officer, session: SessionDep, settings: SettingsDep
) -> Response:
    raw = await request.form()
    form = {name: value if isinstance(value := raw.get(name), str) else "" for name in LOG_FIELDS}
    try:
        asked = form_input(logged.LoggedIn, form, LOG_FIELDS)
        opened = logged.log_request(session, settings, officer, asked)
    except DomainError as error:
        failed(session, error)
        return _log_page(request, session, form, error.message, error.status)
    return RedirectResponse(f"/dpo/requests/{opened.id}?notice=logged", status_code=303)


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def request_page(
    request: Request, request_id: str, officer: Officer, session: SessionDep, notice: str = ""
) -> Response:
    notices = [NOTICES[notice]] if notice in NOTICES else []
    return _request_page(request, session, officer, request_id, {"notices": notices})


def _act(
    request: Request,
    session: Session,
    officer: Actor,
    request_id: str,
    work: Any,
    notice: str,
    typed: dict[str, dict[str, str]] | None = None,
) -> Response:
    """Run one decision; on an error show the request again with the reason, and in the
    decision's form what was typed (`typed`, by form)."""
    try:
        done = work()
    except DomainError as error:
        failed(session, error)
        extra = {"error": error.message, "typed": typed or {}}
        return _request_page(request, session, officer, request_id, extra, error.status)
    if isinstance(done, str):
        notice = done
    return RedirectResponse(f"/dpo/requests/{request_id}?notice={notice}", status_code=303)


@router.post("/requests/{request_id}/verify", response_class=HTMLResponse)
def accept_document(
    request: Request, request_id: str, officer: Officer, session: SessionDep, settings: SettingsDep
) -> Response:
    def work() -> None:
        verify.accept_document(session, settings, officer, request_id)

    return _act(request, session, officer, request_id, work, "verified")


@router.post("/requests/{request_id}/extend", response_class=HTMLResponse)
def extend(
    request: Request,
    request_id: str,
    officer: Officer,
    session: SessionDep,
    settings: SettingsDep,
    days: FormText = "",
    reason: FormText = "",
) -> Response:
    typed = {"days": days, "reason": reason}

    def work() -> None:
        asked = form_input(deadlines.ExtendIn, typed, DECISION_FIELDS)
        deadlines.extend(session, settings, officer, request_id, asked.days, asked.reason)

    return _act(request, session, officer, request_id, work, "extended", {"extend": typed})


@router.post("/requests/{request_id}/refuse", response_class=HTMLResponse)
def refuse(
    request: Request,
    request_id: str,
    officer: Officer,
    session: SessionDep,
    settings: SettingsDep,
    reason: FormText = "",
) -> Response:
    typed = {"reason": reason}

    def work() -> None:
        asked = form_input(deadlines.ReasonIn, typed, DECISION_FIELDS)
        deadlines.refuse(session, settings, officer, request_id, asked.reason)

    return _act(request, session, officer, request_id, work, "refused", {"refuse": typed})


@router.post("/requests/{request_id}/answer", response_class=HTMLResponse)
def answer(
    request: Request,
    request_id: str,
    officer: Officer,
    session: SessionDep,
    settings: SettingsDep,
    text: FormText = "",
) -> Response:
    typed = {"text": text}

    def work() -> None:
        asked = form_input(deadlines.AnswerIn, typed, DECISION_FIELDS)
        deadlines.answer_inquiry(session, settings, officer, request_id, asked.text)

    return _act(request, session, officer, request_id, work, "answered", {"answer": typed})


@router.post("/requests/{request_id}/fulfil", response_class=HTMLResponse)
async def fulfil_request(
    request: Request, request_id: str, officer: Officer, session: SessionDep, settings: SettingsDep
) -> Response:
    form = await request.form()
    corrections = {
        field: value.strip()[:200]
        for field in CORRECTION_FIELDS
        if isinstance(value := form.get(f"correct_{field}"), str) and value.strip()
    }

    def work() -> str:
        options: dict[str, Any] = {"corrections": corrections} if corrections else {}
        done = fulfil(session, settings, officer, request_id, **options)
        if done.scheduled_for is not None:
            return "scheduled"
        return "exported" if done.token else "fulfilled"

    return _act(request, session, officer, request_id, work, "fulfilled")


@router.post("/requests/{request_id}/cancel", response_class=HTMLResponse)
def cancel(
    request: Request, request_id: str, officer: Officer, session: SessionDep, settings: SettingsDep
) -> Response:
    def work() -> None:
        erasure.cancel(session, settings, officer, request_id)

    return _act(request, session, officer, request_id, work, "cancelled")


@router.post("/requests/{request_id}/lift-restriction", response_class=HTMLResponse)
def lift_restriction(
    request: Request, request_id: str, officer: Officer, session: SessionDep, settings: SettingsDep
) -> Response:
    """Lift the restriction of the person a (restriction) request is about."""

    def work() -> None:
        person_id = get_request(session, request_id).person_id
        if person_id is None:
            raise Invalid("This request is about no one we hold data on.")
        effects.lift_restriction(session, settings, officer, person_id)

    return _act(request, session, officer, request_id, work, "lifted")


@router.post("/requests/{request_id}/withhold", response_class=HTMLResponse)
def withhold(
    request: Request,
    request_id: str,
    officer: Officer,
    session: SessionDep,
    item: FormText = "",
    reason: FormText = "",
) -> Response:
    labels = {"item": "Item", "reason": "Reason"}
    try:
        if reason == "include":  # the button that undoes a withholding
            asked = form_input(review.IncludeIn, {"item": item}, labels)
            review.include(session, officer, request_id, asked.item)
        else:
            withheld = form_input(review.WithholdIn, {"item": item, "reason": reason}, labels)
            review.withhold(session, officer, request_id, withheld.item, withheld.reason)
    except DomainError as error:
        failed(session, error)
        extra = {"error": error.message}
        return _request_page(request, session, officer, request_id, extra, error.status)
    notice = "included" if reason == "include" else "withheld"
    return RedirectResponse(f"/dpo/requests/{request_id}?notice={notice}", status_code=303)
