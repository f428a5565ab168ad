"""HTML pages: the privacy center at /privacy/center, for anyone.

Make any request the policy offers (a general privacy question too), confirm it with the
mailed code, with details we hold or with a document, follow it by its reference, download
an export with its one-time token; signed in: one's own requests (cancel a scheduled
erasure during its grace), who was told about one's data, and one's notification
preferences and preferred service times (C5). Every page works without
JavaScript; forms carry the hidden `csrf_token` field for signed-in browsers.

The pages call the rights services like the JSON API does; an answer never says whether
an email address is known.
"""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.core.actor import VISITOR, Actor
from steward.core.errors import DomainError, Invalid, NotFound
from steward.incidents import notices as incident_notices
from steward.policy.active import policy_of
from steward.policy.channels import way_in
from steward.rights import erasure, export, intake, queries, recipients, verify
from steward.rights.common import by_reference
from steward.rights.models import KINDS
from steward.rights.queries import CORRECTION_FIELDS, STATUS_NAMES
from steward.transfer.service import notice_for as transfer_notice
from steward.web.auth import SettingsDep, csrf_guard
from steward.web.deps import SessionDep
from steward.web.pages import preference_form
from steward.web.pages.kit import (
    PageRoute,
    current_or_none,
    failed,
    file_response,
    form_input,
    note_viewer,
    render,
)

router = APIRouter(
    prefix="/privacy/center",
    include_in_schema=False,
    route_class=PageRoute,
    dependencies=[Depends(csrf_guard), Depends(note_viewer)],
)

FormText = Annotated[str, Form()]
NOTICES = {
    "opened": "We received your request and mailed you an acknowledgement with its reference.",
    "verified": "Thank you: the request is confirmed as yours.",
    "code_sent": "We mailed you a new code.",
    "uploaded": "We received your document; our privacy officer will review it.",
    "cancelled": "The erasure is cancelled; your data stays as it was.",
    "preferences_saved": "Your notification preferences are saved.",
}
ACTIONS = {
    "erasure": "Asked to erase it",
    "rectification": "Asked to correct it",
    "restriction": "Asked to restrict its use",
    "restriction_lifted": "Told the restriction ended",
}
REQUEST_FIELDS = {
    "kind": "What do you ask for?",
    "email": "Email address the request is about",
    "name": "Your name",
    "details": "Details",
    "corrections": "Corrections",
    **{
        f"corrections.{key}": f"Correct {label.lower()}" for key, label in CORRECTION_FIELDS.items()
    },
    "purposes": "Uses you object to",
    "agent": "Your name and address, as the agent",
    "password": "Your password",
}
POINT_FIELDS = {
    "name": "Your name",
    "phone": "Your phone number",
    "company": "Your company",
    "birth_date": "Your date of birth (YYYY-MM-DD)",
}


def visitor_or_actor(request: Request, session: SessionDep) -> Actor:
    """The signed-in actor (MFA passed where required), else an anonymous visitor."""
    current = current_or_none(request, session)
    if current is None or not current.mfa_passed:
        return VISITOR
    return current.actor


MaybeActor = Annotated[Actor, Depends(visitor_or_actor)]


def _channels(session: Session) -> dict[str, list[str]]:
    """The kinds of request the policy offers, each with its channels, in the policy's order."""
    policy = policy_of(session)
    found: dict[str, list[str]] = {}
    for kind in KINDS:
        if kind == "inquiry":
            found[kind] = list(policy.inquiries.channels)
            continue
        right = policy.rights.get(kind)  # type: ignore[call-overload]
        if right is not None and right.offered:
            found[kind] = list(right.channels)
    return found


def _offered(session: Session) -> dict[str, str]:
    """The kinds of request this page takes (those the policy offers at the privacy center),
    with their names."""
    return {
        kind: queries.label(kind)
        for kind, channels in _channels(session).items()
        if "privacy_center" in channels
    }


def _elsewhere(session: Session) -> dict[str, list[str]]:
    """Each kind of request this page does not take, with the ways the policy offers it, in
    plain words ("Write to privacy@...", "Call ...")."""
    policy = policy_of(session)
    return {
        queries.label(kind): [way_in(policy, c) for c in channels]
        for kind, channels in _channels(session).items()
        if "privacy_center" not in channels
    }


def _notice(code: str) -> list[str]:
    return [NOTICES[code]] if code in NOTICES else []


def _mine(session: Session, actor: Actor) -> dict[str, Any]:
    if actor.person_id is None:
        return {"mine": None, "told": None, "incident_notices": []}
    return {
        "incident_notices": incident_notices.of_person(session, actor.person_id),
        "actions": ACTIONS,
        "mine": queries.mine(session, actor),
        "answers": queries.my_answers(session, actor),
        "told": recipients.of_person(session, actor.person_id),
        **preference_form.context(session, actor, "/privacy/center/preferences"),
    }


@router.get("", response_class=HTMLResponse)
def center(request: Request, actor: MaybeActor, session: SessionDep, notice: str = "") -> Response:
    context = {
        "kinds": _offered(session),
        "elsewhere": _elsewhere(session),
        "statuses": STATUS_NAMES,
        "notices": _notice(notice),
        "labels": queries.KIND_LABELS,
        "transfer": transfer_notice(session, actor.person_id),
        **_mine(session, actor),
    }
    return render(request, "rights/center.html", context)


def _form_context(
    session: Session, actor: Actor, kept: dict[str, Any], error: str | None = None
) -> dict[str, Any]:
    policy = policy_of(session)
    return {
        "kinds": _offered(session),
        "elsewhere": _elsewhere(session),
        # only what an objection or a withdrawal can stop: uses based on our interests or
        # on consent (a contract or the law is not stopped by objecting)
        "purposes": {
            k: p.name
            for k, p in policy.purposes.items()
            if p.lawful_basis in ("legitimate_interests", "consent")
        },
        "corrections": CORRECTION_FIELDS,
        "form": kept,
        "error": error,
        "signed_in": actor.person_id is not None,
    }


@router.get("/new", response_class=HTMLResponse)
def new_form(request: Request, actor: MaybeActor, session: SessionDep, kind: str = "") -> Response:
    kept = {"kind": kind if kind in KINDS else "", "purposes": []}
    return render(request, "rights/new.html", _form_context(session, actor, kept))


@router.post("/new", response_class=HTMLResponse)
async def make_request(
    request: Request, actor: MaybeActor, session: SessionDep, settings: SettingsDep
) -> Response:
    form = await request.form()

    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    kept: dict[str, Any] = {
        name: text(name) for name in ("kind", "email", "name", "details", "agent")
    }
    kept["on_behalf"] = text("on_behalf") == "yes"
    kept["purposes"] = [p for p in form.getlist("purposes") if isinstance(p, str)]
    kept["corrections"] = {
        field: text(f"correct_{field}").strip()
        for field in CORRECTION_FIELDS
        if text(f"correct_{field}").strip()
    }
    try:
        asked = form_input(intake.RequestIn, {**kept, "password": text("password")}, REQUEST_FIELDS)
        new = intake.NewRequest(**{**asked.model_dump(), "channel": "privacy_center"})
        opened = intake.open_request(session, settings, actor, new)
    except DomainError as error:
        failed(session, error)
        context = _form_context(session, actor, kept, error.message)
        return render(request, "rights/new.html", context, status_code=error.status)
    reference = quote(opened.reference)
    if "email_code" in opened.verification:
        return RedirectResponse(
            f"/privacy/center/verify?reference={reference}&notice=opened", status_code=303
        )
    return RedirectResponse(
        f"/privacy/center/status?reference={reference}&notice=opened", status_code=303
    )


def _status_context(session: Session, reference: str) -> dict[str, Any]:
    found = queries.public_status(session, reference)
    methods = verify.methods(policy_of(session), by_reference(session, reference))
    return {
        "status": found,
        "methods": methods,
        "kind_label": queries.label(found.kind),
        "statuses": STATUS_NAMES,
    }


@router.get("/status", response_class=HTMLResponse)
def status(
    request: Request, session: SessionDep, reference: str = "", notice: str = ""
) -> Response:
    context: dict[str, Any] = {"reference": reference[:20], "notices": _notice(notice)}
    if reference:
        try:
            context.update(_status_context(session, reference[:20]))
        except NotFound as error:
            context["error"] = error.message
            return render(request, "rights/status.html", context, status_code=404)
    return render(request, "rights/status.html", context)


def _verify_page(
    request: Request,
    session: Session,
    reference: str,
    extra: dict[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "reference": reference,
        "points": POINT_FIELDS,
        "typed": {},
        **extra,
    }
    try:
        context.update(_status_context(session, reference))
    except NotFound as error:
        context["error"] = error.message
        status_code = 404
    return render(request, "rights/verify.html", context, status_code=status_code)


@router.get("/verify", response_class=HTMLResponse)
def verify_page(
    request: Request, session: SessionDep, reference: str = "", notice: str = ""
) -> Response:
    return _verify_page(request, session, reference[:20], {"notices": _notice(notice)})


def _verified(
    request: Request,
    session: Session,
    reference: str,
    work: Any,
    where: str = "code",
    typed: dict[str, str] | None = None,
) -> Response:
    try:
        work()
    except DomainError as error:
        failed(session, error)
        extra = {f"{where}_error": error.message, "typed": typed or {}}
        return _verify_page(request, session, reference, extra, error.status)
    return RedirectResponse(
        f"/privacy/center/status?reference={quote(reference)}&notice=verified", status_code=303
    )


@router.post("/verify", response_class=HTMLResponse)
def check_code(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reference: FormText = "",
    code: FormText = "",
) -> Response:
    reference = reference.strip()[:20]

    def work() -> None:
        asked = form_input(verify.CodeIn, {"code": code.strip()}, {"code": "Code"})
        verify.check_code(session, settings, reference, asked.code)

    return _verified(request, session, reference, work)


@router.post("/code", response_class=HTMLResponse)
def resend_code(
    request: Request, session: SessionDep, settings: SettingsDep, reference: FormText = ""
) -> Response:
    reference = reference.strip()[:20]
    try:
        verify.send_code(session, settings, reference)
    except DomainError as error:
        failed(session, error)
        return _verify_page(
            request, session, reference, {"code_error": error.message}, error.status
        )
    return RedirectResponse(
        f"/privacy/center/verify?reference={quote(reference)}&notice=code_sent", status_code=303
    )


@router.post("/data-points", response_class=HTMLResponse)
async def check_data_points(
    request: Request, session: SessionDep, settings: SettingsDep, reference: FormText = ""
) -> Response:
    form = await request.form()
    typed = {key: value for key in POINT_FIELDS if isinstance(value := form.get(key), str)}
    reference = reference.strip()[:20]

    def work() -> None:
        given = form_input(verify.PointsIn, typed, POINT_FIELDS).model_dump(exclude_none=True)
        verify.check_data_points(session, settings, reference, given)

    return _verified(request, session, reference, work, "points", typed)


@router.post("/document", response_class=HTMLResponse)
async def upload_document(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reference: FormText = "",
    document: Annotated[UploadFile | None, File()] = None,
) -> Response:
    reference = reference.strip()[:20]
    try:
        if document is None or not document.filename:
            raise Invalid("Choose the file to send.")
        data = await document.read(verify.MOST_DOCUMENT_BYTES + 1)
        verify.upload_document(
            session,
            settings,
            reference,
            document.filename,
            document.content_type or "application/octet-stream",
            data,
        )
    except DomainError as error:
        failed(session, error)
        extra = {"document_error": error.message}
        return _verify_page(request, session, reference, extra, error.status)
    return RedirectResponse(
        f"/privacy/center/status?reference={quote(reference)}&notice=uploaded", status_code=303
    )


@router.get("/download", response_class=HTMLResponse)
def download_form(request: Request, token: str = "") -> Response:
    """The download form, filled in when the mailed link carries the token: following the
    link downloads nothing by itself."""
    return render(request, "rights/download.html", {"token": token[:100]})


@router.post("/download", response_class=HTMLResponse)
def download(
    request: Request, session: SessionDep, settings: SettingsDep, token: FormText = ""
) -> Response:
    """The export for a one-time token, as a download; an expired or unknown token is said
    so on the page."""
    try:
        filename, content_type, data = export.download(session, settings, token.strip()[:100])
    except DomainError as error:
        failed(session, error)
        context = {"error": error.message}
        return render(request, "rights/download.html", context, status_code=error.status)
    return file_response(data, content_type, filename)


@router.post("/requests/{reference}/cancel", response_class=HTMLResponse)
def cancel_erasure(
    request: Request,
    reference: str,
    actor: MaybeActor,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """A signed-in person cancels their own scheduled erasure during its grace."""
    if actor.person_id is None:
        return RedirectResponse("/sign-in?next=/privacy/center", status_code=303)
    try:
        found = by_reference(session, reference[:20])
        if found.person_id != actor.person_id:
            raise NotFound("There is no request with this reference.")
        erasure.cancel(session, settings, actor, found.id)
    except DomainError as error:
        failed(session, error)
        return _center_again(request, session, actor, error, {"error": error.message})
    return RedirectResponse("/privacy/center?notice=cancelled", status_code=303)


def _center_again(
    request: Request, session: Session, actor: Actor, error: DomainError, extra: dict[str, str]
) -> Response:
    """The privacy center shown again after a failed form, with the error where it belongs."""
    context = {
        "kinds": _offered(session),
        "elsewhere": _elsewhere(session),
        "statuses": STATUS_NAMES,
        "labels": queries.KIND_LABELS,
        **_mine(session, actor),
        **extra,
    }
    return render(request, "rights/center.html", context, status_code=error.status)


@router.post("/preferences", response_class=HTMLResponse)
def save_preferences(
    request: Request,
    actor: MaybeActor,
    session: SessionDep,
    form: preference_form.SubmittedForm,
) -> Response:
    """A signed-in person changes their notification preferences and service times."""
    if actor.person_id is None:
        return RedirectResponse("/sign-in?next=/privacy/center", status_code=303)
    try:
        preference_form.save(request, session, actor, form)
    except DomainError as error:
        failed(session, error)
        extra = {"preferences_error": error.message}
        return _center_again(request, session, actor, error, extra)
    return RedirectResponse("/privacy/center?notice=preferences_saved", status_code=303)
