"""HTML pages: the customer portal at /portal.

A signed-in customer's tickets (list, open one, read and reply with attachments), their
organisations' devices with their service history and overdue service, their quotes, their
invoices (each with its page and PDF) and payments, and their account (profile, email change,
notification preferences, time zone). Staff are sent to /desk and anonymous visitors to sign
in. Every page works without JavaScript; htmx, when it loads,
swaps the ticket list and posts replies without a full reload.

Pages call the desk and identity services directly, like the JSON API does; a ticket of
someone else is "not found", with nothing of it shown.
"""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import DomainError, Invalid, NotFound
from steward.core.settings import Settings
from steward.desk import (
    billing,
    devices,
    invoice_pdf,
    messages,
    organisations,
    service_records,
    tickets,
)
from steward.desk import invoices as invoicing
from steward.desk import payments as paying
from steward.desk import quotes as quoting
from steward.desk.common import is_contact_of
from steward.desk.models import STATUSES
from steward.identity import profile
from steward.web.auth import SettingsDep, csrf_guard
from steward.web.deps import SessionDep
from steward.web.pages import preference_form, zone_form
from steward.web.pages.kit import (
    PageCustomer,
    PageRoute,
    failed,
    file_response,
    local_of,
    render,
)

router = APIRouter(
    prefix="/portal",
    include_in_schema=False,
    route_class=PageRoute,
    dependencies=[Depends(csrf_guard)],
)

PAGE_SIZE = 20
BILLING_ROWS = 50
DEVICE_ROWS = 50
RECORD_ROWS = 200
SUBJECT_MAX = 200
STATUS_NAMES = {
    "new": "New",
    "open": "Open",
    "waiting_on_customer": "Waiting for you",
    "resolved": "Resolved",
    "closed": "Closed",
}
NOTICES = {
    "opened": "Your request is open. We will answer here and by email.",
    "replied": "Your reply is added.",
    "saved": "Your details are saved.",
    "email_sent": "Follow the link we sent to the new address to confirm it. Until then, "
    "nothing changes.",
    "email_changed": "Your email address is changed.",
    "preferences_saved": "Your notification preferences are saved.",
    "zone_saved": "Your time zone is saved: times are now shown in it.",
}
FormText = Annotated[str, Form()]
Files = Annotated[list[UploadFile] | None, File()]


def _notice(code: str, masked: int = 0) -> list[str]:
    found = [NOTICES[code]] if code in NOTICES else []
    warning = messages.masking_notice(masked)
    return [*found, warning] if warning else found


async def _uploads(files: list[UploadFile] | None) -> list[messages.Upload]:
    """The files a form sent; an empty file input sends one nameless, empty part."""
    uploads = []
    for upload in files or []:
        if not upload.filename:
            continue
        data = await upload.read(messages.MAX_ATTACHMENT_BYTES + 1)
        uploads.append(
            messages.Upload(
                filename=upload.filename,
                content_type=upload.content_type or "application/octet-stream",
                data=data,
            )
        )
    return uploads


def not_found(request: Request, what: str = "There is no such request.") -> HTMLResponse:
    return render(
        request, "portal/not_found.html", {"title": "Not found", "detail": what}, status_code=404
    )


# Tickets


def _ticket_list_context(
    session: Session, actor: Actor, status: str, offset: int
) -> dict[str, Any]:
    status = status if status in STATUSES else ""
    offset = max(offset, 0)
    page = tickets.list_tickets(
        session, actor, tickets.TicketFilter(status=status or None), offset=offset, limit=PAGE_SIZE
    )
    query = f"status={quote(status)}&" if status else ""
    return {
        "tickets": page.items,
        "status": status,
        "statuses": STATUS_NAMES,
        "next_url": f"/portal?{query}offset={page.next_offset}"
        if page.next_offset is not None
        else None,
        "previous_url": f"/portal?{query}offset={max(offset - PAGE_SIZE, 0)}" if offset else None,
    }


@router.get("", response_class=HTMLResponse)
def ticket_list(
    request: Request,
    actor: PageCustomer,
    session: SessionDep,
    status: str = "",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    notice: str = "",
) -> Response:
    context = _ticket_list_context(session, actor, status, offset)
    context["notices"] = _notice(notice)
    return render(request, "portal/tickets.html", context)


def about_choices(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """D2: the end users of the organisations the customer is a contact of, as (person id,
    label). A contact sees a member's name only where the gate allows; otherwise the end of
    their id stands in for it. Empty for a customer who is no organisation's contact."""
    choices: list[tuple[str, str]] = []
    for organisation in organisations.list_organisations(session, actor, limit=200).items:
        if not is_contact_of(session, actor.person_id, organisation.id):
            continue
        members = organisations.list_members(
            session, actor, organisation.id, kind="end_user", limit=200
        )
        for member in members.items:
            label = member.name or f"End user ending …{member.person_id[-4:]}"
            choices.append((member.person_id, f"{label} ({organisation.name})"))
    return choices


def _new_ticket_context(
    session: Session, actor: Actor, kept: dict[str, str], error: str | None = None
) -> dict[str, Any]:
    return {"form": kept, "error": error, "about_choices": about_choices(session, actor)}


@router.get("/tickets/new", response_class=HTMLResponse)
def new_ticket_form(request: Request, actor: PageCustomer, session: SessionDep) -> Response:
    context = _new_ticket_context(session, actor, {})
    return render(request, "portal/new_ticket.html", context)


@router.post("/tickets/new", response_class=HTMLResponse)
async def new_ticket(
    request: Request,
    actor: PageCustomer,
    session: SessionDep,
    settings: SettingsDep,
    subject: FormText = "",
    message: FormText = "",
    about: FormText = "",
    attachments: Files = None,
) -> Response:
    about = about.strip()[:36]
    kept = {
        "subject": subject[:SUBJECT_MAX],
        "message": message[: messages.MAX_BODY],
        "about": about,
    }
    try:
        tickets.refuse_copies((await request.form()).keys())  # D3: no CC, even hand-made
        view = tickets.open_ticket(
            session,
            settings,
            actor,
            subject=subject,
            body=message,
            channel="web",
            about_id=about or None,  # D2: the service checks the contact and the organisation
            attachments=await _uploads(attachments),
        )
    except DomainError as error:
        failed(session, error)
        context = _new_ticket_context(session, actor, kept, error.message)
        return render(request, "portal/new_ticket.html", context, status_code=error.status)
    masked = sum(m.card_numbers_masked for m in view.messages)
    suffix = f"&masked={masked}" if masked else ""
    return RedirectResponse(f"/portal/tickets/{view.id}?notice=opened{suffix}", status_code=303)


def _ticket_page(
    request: Request,
    session: Session,
    actor: Actor,
    ticket_id: int,
    extra: dict[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    try:
        view = tickets.get_ticket(session, actor, ticket_id)
    except NotFound:
        return not_found(request)
    context = {
        "ticket": view,
        "statuses": STATUS_NAMES,
        "me": actor.person_id,
        "reply": "",
        "closed": view.status == "closed",
        **extra,
    }
    return render(request, "portal/ticket.html", context, status_code=status_code)


@router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket_page(
    request: Request,
    ticket_id: int,
    actor: PageCustomer,
    session: SessionDep,
    notice: str = "",
    masked: Annotated[int, Query(ge=0, le=1000)] = 0,
) -> Response:
    return _ticket_page(request, session, actor, ticket_id, {"notices": _notice(notice, masked)})


@router.post("/tickets/{ticket_id}/reply", response_class=HTMLResponse)
async def reply(
    request: Request,
    ticket_id: int,
    actor: PageCustomer,
    session: SessionDep,
    settings: SettingsDep,
    message: FormText = "",
    attachments: Files = None,
) -> Response:
    try:
        tickets.refuse_copies((await request.form()).keys())
        view = messages.add_message(
            session,
            settings,
            actor,
            ticket_id,
            body=message,
            visibility="public",
            channel="web",
            attachments=await _uploads(attachments),
        )
    except NotFound:
        failed(session, NotFound("There is no such request."))
        return not_found(request)
    except DomainError as error:
        failed(session, error)
        extra = {"error": error.message, "reply": message[: messages.MAX_BODY]}
        return _ticket_page(request, session, actor, ticket_id, extra, error.status)
    masked = f"&masked={view.card_numbers_masked}" if view.card_numbers_masked else ""
    return RedirectResponse(
        f"/portal/tickets/{ticket_id}?notice=replied{masked}#m-{view.id}", status_code=303
    )


@router.get("/attachments/{attachment_id}")
def attachment(
    request: Request,
    attachment_id: str,
    actor: PageCustomer,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Download an attachment of one's own ticket; always as a download, never shown inline,
    so an uploaded HTML or image file cannot run or pose as a page of this site."""
    try:
        filename, content_type, data = messages.read_attachment(
            session, settings, actor, attachment_id
        )
    except NotFound:
        return not_found(request, "There is no such attachment.")
    return file_response(data, content_type, filename)


# Devices and billing


def device_overview(session: Session, actor: Actor) -> dict[str, Any]:
    """The devices of the customer's organisations and their own, newest first, each with its
    service visits (latest first) and since when its service is overdue, if it is; visits not
    tied to a device are listed apart."""
    found = devices.list_devices(session, actor, limit=DEVICE_ROWS)
    records = service_records.list_service_records(session, actor, limit=RECORD_ROWS).items
    by_device: dict[str | None, list[devices.ServiceRecordView]] = {}
    for record in records:
        by_device.setdefault(record.device_id, []).append(record)
    shown = {d.id for d in found.items}
    today = clock.today()
    return {
        "devices": found.items,
        "types": devices.TYPE_NAMES,
        "overdue": {d: devices.overdue_since(visits, today) for d, visits in by_device.items()},
        "records": by_device,
        "other_records": [r for r in records if r.device_id not in shown],
        "more": found.next_offset is not None,
        "most": DEVICE_ROWS,
    }


def billing_overview(session: Session, actor: Actor) -> dict[str, Any]:
    """The customer's newest quotes, invoices and payments (the services scope them to the
    customer; draft quotes are not theirs to see yet)."""
    everything = billing.BillingFilter()
    invoices = invoicing.list_invoices(session, actor, everything, limit=BILLING_ROWS).items
    today = clock.today()
    return {
        "quotes": quoting.list_quotes(session, actor, everything, limit=BILLING_ROWS).items,
        "invoices": invoices,
        "invoice_statuses": {i.id: invoice_pdf.status_words(i, today) for i in invoices},
        "payments": paying.list_payments(session, actor, everything, limit=BILLING_ROWS).items,
        "most": BILLING_ROWS,
    }


@router.get("/devices", response_class=HTMLResponse)
def devices_page(request: Request, actor: PageCustomer, session: SessionDep) -> Response:
    return render(request, "portal/devices.html", device_overview(session, actor))


@router.get("/billing", response_class=HTMLResponse)
def billing_page(request: Request, actor: PageCustomer, session: SessionDep) -> Response:
    return render(request, "portal/billing.html", billing_overview(session, actor))


@router.get("/billing/invoices/{invoice_id}", response_class=HTMLResponse)
def invoice_page(
    request: Request, invoice_id: str, actor: PageCustomer, session: SessionDep
) -> Response:
    """One of the customer's invoices: its lines, totals, payments and status."""
    try:
        invoice = invoicing.get_invoice(session, actor, invoice_id[:36])
        payments = paying.list_payments(
            session, actor, billing.BillingFilter(invoice_id=invoice.id), limit=BILLING_ROWS
        )
    except NotFound:
        return not_found(request, "There is no such invoice.")
    context = {
        "invoice": invoice,
        "payments": payments.items,
        "status": invoice_pdf.status_words(invoice, clock.today()),
    }
    return render(request, "portal/invoice.html", context)


@router.get("/billing/invoices/{invoice_id}/pdf")
def invoice_download(
    request: Request, invoice_id: str, actor: PageCustomer, session: SessionDep
) -> Response:
    try:
        found = invoice_pdf.invoice_file(
            session, actor, invoice_id[:36], local_of(request).time_zone
        )
    except NotFound:
        return not_found(request, "There is no such invoice.")
    return file_response(found.data, "application/pdf", found.filename)


# Account


def _account_page(
    request: Request,
    session: Session,
    actor: Actor,
    extra: dict[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    me = profile.read(session, actor)
    context = {
        "me": me,
        "notices": [],
        **preference_form.context(session, actor, "/portal/account/preferences"),
        **zone_form.context(request, session, actor, "/portal/account/time-zone"),
        **extra,
    }
    return render(request, "portal/account.html", context, status_code=status_code)


@router.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request, actor: PageCustomer, session: SessionDep, notice: str = ""
) -> Response:
    return _account_page(request, session, actor, {"notices": _notice(notice)})


@router.post("/account", response_class=HTMLResponse)
def correct_profile(
    request: Request,
    actor: PageCustomer,
    session: SessionDep,
    name: FormText = "",
    phone: FormText = "",
    company: FormText = "",
) -> Response:
    """Correct name, phone and company (R2); only the fields that changed are written."""
    sent = {"name": name, "phone": phone, "company": company}
    try:
        for field, most in (("name", 200), ("phone", 50), ("company", 200)):
            if len(sent[field]) > most:
                raise Invalid(f"Keep the {field} under {most} characters.")
        shown = profile.read(session, actor).fields
        changes: dict[str, str | None] = {
            field: value.strip() or None
            for field, value in sent.items()
            if field in shown and (value.strip() or None) != shown[field]
        }
        profile.correct(session, actor, changes)
    except DomainError as error:
        failed(session, error)
        extra = {"error": error.message, "kept": sent}
        return _account_page(request, session, actor, extra, error.status)
    return RedirectResponse("/portal/account?notice=saved", status_code=303)


@router.post("/account/email", response_class=HTMLResponse)
def change_email(
    request: Request,
    actor: PageCustomer,
    session: SessionDep,
    settings: SettingsDep,
    email: FormText = "",
    password: FormText = "",
) -> Response:
    try:
        _request_email_change(session, settings, actor, email.strip(), password)
    except DomainError as error:
        failed(session, error)
        extra = {"email_error": error.message, "new_email": email[:254]}
        return _account_page(request, session, actor, extra, error.status)
    return RedirectResponse("/portal/account?notice=email_sent", status_code=303)


def _request_email_change(
    session: Session, settings: Settings, actor: Actor, email: str, password: str
) -> None:
    local, _, domain = email.partition("@")
    if len(email) > 254 or not local or "." not in domain or any(c.isspace() for c in email):
        raise Invalid("Enter an email address like name@example.com.")
    if len(password) > 1000:
        raise Invalid("The password is too long.")
    profile.request_email_change(session, settings, actor, email, password)


@router.post("/account/time-zone", response_class=HTMLResponse)
def save_time_zone(
    request: Request, actor: PageCustomer, session: SessionDep, time_zone: FormText = ""
) -> Response:
    try:
        zone_form.save(session, actor, time_zone)
    except DomainError as error:
        failed(session, error)
        return _account_page(request, session, actor, {"zone_error": error.message}, error.status)
    return RedirectResponse("/portal/account?notice=zone_saved#zone-heading", status_code=303)


@router.post("/account/preferences", response_class=HTMLResponse)
def save_preferences(
    request: Request,
    actor: PageCustomer,
    session: SessionDep,
    form: preference_form.SubmittedForm,
) -> Response:
    try:
        preference_form.save(request, session, actor, form)
    except DomainError as error:
        failed(session, error)
        extra = {"preferences_error": error.message}
        return _account_page(request, session, actor, extra, error.status)
    return RedirectResponse("/portal/account?notice=preferences_saved", status_code=303)
