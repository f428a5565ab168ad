"""HTML pages: the privacy officer's rights requests at /dpo.

The queue, soonest due first, a page of 50 at a time, with who asked, due-soon and overdue
marked, the time each request waited for the person to confirm it and the legal holds a
scheduled erasure waits for (under it the last retention sweep and the newest restore test of
the backups, a failed one as a warning);
a request's page with who asked and the person it matched (read through the gate, audited),
its timeline in words (who did each step, by name or role) and documents; logging a request
made by phone, by post or in person on the person's behalf; and the officer's decisions:
move an unverified request on (accept a document, mail a new code, record how identity was
checked), extend the deadline, refuse, answer an inquiry, preview an access export and then
send it, approve an erasure (it runs after the grace period, on the date the page gives) or
cancel it during its grace, lift a restriction. Privacy officers only: other staff get a
refusal, customers go to the portal, anonymous visitors to sign in. No JavaScript needed.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.backup import drill
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import DomainError, Invalid
from steward.incidents import alerts, clocks
from steward.policy.active import policy_of
from steward.policy.channels import NAMES, OFFICER_LOGGED
from steward.policy.schema import Policy
from steward.retention import holds, reports
from steward.rights import deadlines, effects, erasure, logged, queries, report, review, verify
from steward.rights.common import get_request
from steward.rights.fulfil import fulfil
from steward.rights.queries import CORRECTION_FIELDS, STATUS_NAMES, TimelineEntry
from steward.web.auth import SettingsDep, csrf_guard
from steward.web.deps import SessionDep
from steward.web.pages.desk_kit import with_query
from steward.web.pages.kit import Officer, PageRoute, failed, form_input, local_of, render

router = APIRouter(
    prefix="/dpo",
    include_in_schema=False,
    route_class=PageRoute,
    dependencies=[Depends(csrf_guard)],
)
FormText = Annotated[str, Form()]
PAGE_SIZE = 50
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
    "code_sent": "A new code is mailed to the person; the earlier one no longer works.",
    "code_not_sent": "The code could not be mailed: the mail server did not answer. Try again.",
    "checked": "The identity check is recorded; the request is verified.",
}
CHANNEL_NAMES = {"api": "in the privacy center (API)", **NAMES}
# The statuses as the officer reads them (the person's pages say "you").
STATUSES = {**STATUS_NAMES, "unverified": "Waiting for the person to confirm who they are"}
LOG_FIELDS = {
    "kind": "What the person asks for",
    "channel": "How they asked",
    "received": "Date received",
    "name": "Their name",
    "email": "Their email address",
    "about": "Whom the letter is about",
    "checked": "How the identity was checked",
    "note": "How you checked it",
    "details": "What they asked",
}
DECISION_FIELDS = {"days": "Days to extend by", "reason": "Reason", "text": "Answer"}
CHECK_FIELDS = {"method": "How you checked", "note": "What you did"}
# A request's timeline in words; a step not named here reads as its key in words.
STEPS = {
    "received": "Received",
    "logged": "Logged by the privacy officer",
    "acknowledged": "Acknowledgement mailed",
    "code_sent": "Verification code mailed",
    "code_failed": "A verification code failed",
    "data_points_failed": "The details given did not match",
    "document_received": "Document received",
    "verified": "Verified",
    "reviewed": "Export reviewed",
    "withheld": "Withheld from the export",
    "included": "Included in the export again",
    "export_built": "Export built and the download mailed",
    "pushed": "Export sent to another provider",
    "extended": "Deadline extended",
    "refused": "Refused",
    "answered": "Answered",
    "lapsed": "Lapsed: not confirmed in time",
    "restricted": "Processing restricted",
    "restriction_lifted": "Restriction lifted",
    "erasure_scheduled": "Erasure approved and scheduled",
    "erasure_cancelled": "Erasure cancelled",
    "erasure_started": "Erasure started",
    "erasure_done": "Erasure done",
    "recipients_queued": "Recipients to be told",
    "recipient_notified": "Recipient told",
    "recipient_failed": "Telling a recipient failed; retrying",
    "recipient_unreachable": "A recipient could not be reached",
    "mail_received": "Mail received",
}


def _note(policy: Policy, step: TimelineEntry) -> str | None:
    """A step's note in words: a channel, a verification method, a recipient, an item of the
    export; never an id."""
    note = step.note
    if not note or step.step == "document_received":
        return None
    if step.step in ("received", "logged"):
        return CHANNEL_NAMES.get(note, note)
    if step.step == "verified":
        return f"by {verify.METHOD_WORDS.get(note, note.replace('_', ' '))}"
    if step.step.startswith("recipient") and note in policy.processors:
        return policy.processors[note].name
    if step.step in (review.STEP, review.INCLUDED):
        table, _, rest = note.partition(":")
        reason = rest.partition(":")[2]
        what = report.article(report.table_words(table))
        return f"{what}: {review.REASONS[reason]}" if reason in review.REASONS else what
    if step.step == "export_built":
        return None
    return note.replace("_", " ")


def _steps(policy: Policy, timeline: list[TimelineEntry]) -> list[dict[str, Any]]:
    return [
        {
            "at": t.at,
            "what": STEPS.get(t.step, t.step.replace("_", " ").capitalize()),
            "note": _note(policy, t),
            "by": t.by,
        }
        for t in timeline
    ]


@router.get("", response_class=HTMLResponse)
def queue(
    request: Request,
    officer: Officer,
    session: SessionDep,
    settings: SettingsDep,
    closed: bool = False,
    person: str = "",
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    about = person or None
    everything = closed or bool(about)
    found = queries.queue(
        session,
        officer,
        everything,
        person_id=about,
        named=True,
        offset=offset,
        limit=PAGE_SIZE + 1,
    )
    items, more = found[:PAGE_SIZE], len(found) > PAGE_SIZE
    shown = {"closed": closed, "person": about}
    scheduled = [i.id for i in items if i.status == "scheduled"]
    waiting = holds.over_erasures(session, officer, scheduled)
    on = holds.targets(session, officer, [h.hold for found in waiting.values() for h in found])
    context = {
        "items": items,
        "closed": closed,
        "next_url": with_query("/dpo", **shown, offset=offset + PAGE_SIZE) if more else None,
        "previous_url": (
            with_query("/dpo", **shown, offset=max(offset - PAGE_SIZE, 0) or None)
            if offset
            else None
        ),
        "about": queries.person_names(session, officer, [about]).get(about) if about else None,
        "waiting": waiting,
        "held_on": on,
        "labels": queries.KIND_LABELS,
        "channels": CHANNEL_NAMES,
        "statuses": STATUSES,
        "last_sweep": next(iter(reports.recent(session, officer, limit=1)), None),
        "holds_to_review": sum(h.needs_review for h in holds.listing(session, officer)),
        "backups": drill.status(session, settings),
        "incidents_due": clocks.due_lines(session),
        "alerts_open": alerts.open_count(session, officer),
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
    policy = policy_of(session)
    preview = None
    if kind in erasure.ERASURE_KINDS and status in ("open", "scheduled"):
        preview = erasure.preview(session, officer, request_id)
        extra = {**_erasure_context(session, officer, request_id, policy), **extra}
    if kind in review.ACCESS_KINDS and status == "open" and detail.person_id:
        extra = {"export_review": review.review(session, officer, request_id), **extra}
    if status == "unverified":
        extra = {**_verification_context(session, request_id, policy), **extra}
    right = policy.rights.get(kind) if kind != "inquiry" else None  # type: ignore[call-overload]
    context = {
        "detail": detail,
        "item": detail.item,
        "kind_label": queries.label(kind),
        "channels": CHANNEL_NAMES,
        "statuses": STATUSES,
        "methods": verify.METHOD_WORDS,
        "steps": _steps(policy, detail.timeline),
        "preview": preview,
        "extension_days": right.extension_days if right is not None else 0,
        "corrections": CORRECTION_FIELDS,
        "is_erasure": kind in erasure.ERASURE_KINDS,
        "is_access": kind in review.ACCESS_KINDS,
        "notices": [],
        "review_reasons": review.REASONS,
        "typed": {},
        **extra,
    }
    return render(request, "dpo/request.html", context, status_code=status_code)


def _verification_context(session: Session, request_id: str, policy: Policy) -> dict[str, Any]:
    """What the officer can do to move an unverified request on: mail a new code, record a
    check of their own (those whose method the policy accepts for this request)."""
    accepted = verify.methods(policy, get_request(session, request_id))
    return {
        "can_resend": "email_code" in accepted,
        "checks": {
            key: words.capitalize()
            for key, (words, counts_as) in verify.OFFICER_CHECKS.items()
            if counts_as in accepted
        },
    }


def _erasure_context(
    session: Session, officer: Actor, request_id: str, policy: Policy
) -> dict[str, Any]:
    """When an erasure approved now would run, the grace period in words, and the legal
    holds a scheduled one waits for, each named."""
    waiting = holds.over_erasures(session, officer, [request_id]).get(request_id, [])
    return {
        "runs_on": erasure.runs_on(session, get_request(session, request_id)),
        "grace": policy.requests.erasure_grace.words(),
        "waiting": waiting,
        "held_on": holds.targets(session, officer, [h.hold for h in waiting]),
        "hold_reasons": holds.REASON_NAMES,
    }


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
        "today": local_of(request).here(clock.now()).date().isoformat(),  # the officer's today
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


@router.post("/requests/{request_id}/resend-code", response_class=HTMLResponse)
def resend_code(
    request: Request, request_id: str, officer: Officer, session: SessionDep, settings: SettingsDep
) -> Response:
    def work() -> str:
        sent = verify.resend_code(session, settings, officer, request_id)
        return "code_sent" if sent else "code_not_sent"

    return _act(request, session, officer, request_id, work, "code_sent")


@router.post("/requests/{request_id}/identity-checked", response_class=HTMLResponse)
def identity_checked(
    request: Request,
    request_id: str,
    officer: Officer,
    session: SessionDep,
    settings: SettingsDep,
    method: FormText = "",
    note: FormText = "",
) -> Response:
    typed = {"method": method, "note": note}

    def work() -> None:
        checked = form_input(verify.CheckIn, typed, CHECK_FIELDS)
        verify.record_check(session, settings, officer, request_id, checked)

    return _act(request, session, officer, request_id, work, "checked", {"check": typed})


@router.get("/requests/{request_id}/export", response_class=HTMLResponse)
def export_preview(
    request: Request, request_id: str, officer: Officer, session: SessionDep
) -> Response:
    """What the access export will hold, per category by name (no personal data), and the
    button that builds and sends it."""
    detail = queries.detail(session, officer, request_id)
    try:
        found = review.review(session, officer, request_id)
    except DomainError as error:
        failed(session, error)
        extra = {"error": error.message}
        return _request_page(request, session, officer, request_id, extra, error.status)
    context = {"item": detail.item, "detail": detail, "review": found}
    return render(request, "dpo/export.html", context)


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
    kind = get_request(session, request_id).kind
    if kind in review.ACCESS_KINDS and form.get("confirmed") != "yes":
        return RedirectResponse(f"/dpo/requests/{request_id}/export", status_code=303)
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
