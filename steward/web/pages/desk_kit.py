"""What the desk's pages share: who may open which part (by role, after MFA), refusals shown
as a page with the nav, staff names, uploads, form values and links that keep the filters.

The services check roles and the policy themselves; the role checks here only decide what a
page offers, and turn a role that has no business on a page into a 403 before anything is
looked up.
"""

from collections.abc import Callable, Coroutine, Iterable, Mapping
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, Form, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from steward.access.roles import BILLING_ROLES, DESK_ROLES, RECORDING_ROLES
from steward.core.actor import Actor
from steward.core.cards import mask_card_numbers
from steward.core.errors import DomainError, Forbidden, Invalid
from steward.desk import directory, people, tickets
from steward.desk.messages import Upload
from steward.policy.local import Local
from steward.web.pages.kit import PageRoute, PageStaff, failed, home_of, render

CALL_ROLES = DESK_ROLES | RECORDING_ROLES  # the call list: agents, and those who review calls
PAGE_SIZE = 25

# Keys as the desk's pages name them.
STATUS_NAMES = {
    "new": "New",
    "open": "Open",
    "waiting_on_customer": "Waiting on customer",
    "resolved": "Resolved",
    "closed": "Closed",
}
MEMBER_KINDS = {"contact": "Contact", "end_user": "End user"}
PERSON_KINDS = {
    "customer": "Customer",
    "business_contact": "Business contact",
    "end_user": "End user",
    "child": "Child",
    "staff": "Staff",
}
NOTICES = {
    "updated": "The ticket is updated.",
    "replied": "Your reply is sent.",
    "noted": "Your internal note is added.",
    "view_saved": "The view is saved.",
    "view_deleted": "The view is deleted.",
    "call_logged": "The call is logged.",
    "recording_kept": "The call is logged and its recording kept.",
    "call_updated": "The call is updated.",
    "session_started": "The remote session is recorded as started.",
    "session_ended": "The remote session is ended.",
    "device_saved": "The device is saved.",
    "record_added": "The service record is added.",
    "schedule_added": "The maintenance schedule is added.",
    "organisation_saved": "The organisation is saved.",
    "member_added": "The member is added.",
    "quote_saved": "The quote is saved.",
    "invoice_saved": "The invoice is saved.",
    "payment_recorded": "The payment is recorded.",
}

# A public reply that was saved but not mailed: never reported as sent.
NOT_EMAILED = "Your reply is saved; the customer was not emailed because {reason}."

# Form and query parameters the desk pages share.
FormText = Annotated[str, Form()]
QueryText = Annotated[str, Query(max_length=200)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


class RoleRefused(Forbidden):
    """A staff role with no business on this page (checked before anything is looked up)."""


class DeskRoute(PageRoute):
    """A page route that shows a role refusal as the desk's 403 page, with the nav."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RoleRefused as refused:
                return problem_page(request, refused)

        return handle


def problem_page(request: Request, error: DomainError) -> HTMLResponse:
    viewer = getattr(request.state, "viewer", None)
    home = home_of(getattr(viewer, "role", None) or "")
    context = {"title": error.title, "detail": error.message, "home": home}
    return render(request, "desk/problem.html", context, status_code=error.status)


def roles(allowed: Iterable[str], what: str) -> Callable[[Actor], Actor]:
    allowed = frozenset(allowed)

    def dependency(actor: PageStaff) -> Actor:
        if actor.role not in allowed:
            raise RoleRefused(f"Your role may not {what}.")
        return actor

    return dependency


Agent = Annotated[Actor, Depends(roles(DESK_ROLES, "work the desk's queue and records"))]
CallViewer = Annotated[Actor, Depends(roles(CALL_ROLES, "see calls"))]
Biller = Annotated[Actor, Depends(roles(BILLING_ROLES, "work on billing"))]


def refused(request: Request, session: Session, error: DomainError) -> HTMLResponse:
    """A service's refusal (or a missing record) as a page: the unit of work is undone and a
    policy refusal still goes to the audit trail."""
    failed(session, error)
    return problem_page(request, error)


def show(
    request: Request, session: Session, template: str, build: Callable[[], Mapping[str, Any]]
) -> HTMLResponse:
    """Render a page whose context the services build; their refusals become a page."""
    try:
        context = build()
    except DomainError as error:
        return refused(request, session, error)
    return render(request, template, context)


def see_other(path: str, **query: object) -> RedirectResponse:
    """The 303 after a successful form, to a page that says what happened."""
    return RedirectResponse(with_query(path, **query), status_code=303)


def with_query(path: str, **query: object) -> str:
    kept = {k: str(v) for k, v in query.items() if v not in (None, "", False)}
    anchor = kept.pop("anchor", "")
    url = f"{path}?{urlencode(kept)}" if kept else path
    return f"{url}#{anchor}" if anchor else url


def notices(code: str, extra: str | None = None) -> list[str]:
    found = [NOTICES[code]] if code in NOTICES else []
    return [*found, extra] if extra else found


def staff_names(
    session: Session, actor: Actor, account_ids: Iterable[str | None]
) -> dict[str, str]:
    """Names of staff accounts for display; the actor's own account reads "you"."""
    found = people.account_names(session, actor, account_ids)
    if actor.account_id:
        found[actor.account_id] = "you"
    return found


def agents(session: Session, actor: Actor) -> dict[str, str]:
    """The active agents and admins, id -> name, for assigning work."""
    ids = people.active_accounts(session, DESK_ROLES)
    named = people.account_names(session, actor, ids)
    return {i: named.get(i, f"Staff member {i[:8]}") for i in ids}


async def uploads_of(files: list[UploadFile] | None, most: int) -> list[Upload]:
    """The files a form sent (an empty file input sends one nameless, empty part). A file
    larger than `most` is read only to most + 1 bytes, enough for the service to refuse it."""
    found = []
    for upload in files or []:
        if not upload.filename:
            continue
        found.append(
            Upload(
                filename=upload.filename,
                content_type=upload.content_type or "application/octet-stream",
                data=await upload.read(most + 1),
            )
        )
    return found


def download(filename: str, content_type: str, data: bytes, *, inline: bool = False) -> Response:
    """A stored file, never rendered as a page of this site (nosniff, a sandboxing CSP)."""
    disposition = "inline" if inline else "attachment"
    return Response(
        data,
        media_type=content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "no-store",
        },
    )


def optional_int(value: str, what: str, *, low: int = 0, high: int = 2**31 - 1) -> int | None:
    value = value.strip().lstrip("#")
    if not value:
        return None
    if not value.isdigit() or not low <= int(value) <= high:
        raise Invalid(f"The {what} is a whole number from {low} to {high}.")
    return int(value)


def optional_date(value: str, what: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"Give the {what} as a date like 2026-03-31.") from None


def optional_moment(value: str, what: str, local: Local) -> datetime | None:
    """A datetime-local field's value, read in the viewer's time zone."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"Give the {what} as a date and time like 2026-03-31T09:30.") from None
    return local.read(moment)


def cents(value: str, what: str) -> int:
    """An amount typed as 12.50 (or 12,50) in cents."""
    text = value.strip().replace(",", ".")
    whole, _, fraction = text.partition(".")
    if not whole.isdigit() or not (fraction == "" or (fraction.isdigit() and len(fraction) <= 2)):
        raise Invalid(f"Give the {what} as an amount like 12.50.")
    return int(whole) * 100 + int((fraction + "00")[:2])


def limited(value: str, most: int) -> str:
    """A typed value kept for the form shown again: cut to what the form accepts, and with
    any card number masked, so a refused one is not sent back to the browser (D4)."""
    return masked(value[:most])


def masked(value: str) -> str:
    """A typed value kept whole for the form shown again, with any card number masked, so a
    refused one is not sent back to the browser (D4)."""
    return mask_card_numbers(value)[0]


def person_from(session: Session, actor: Actor, person_id: str, email: str) -> str:
    """The person a form is about: the one it named, or the one with this email address."""
    if person_id.strip():
        return person_id.strip()[:36]
    if not email.strip():
        raise Invalid("Choose the person, or give their email address.")
    found = directory.find_people(session, actor, email=email[:254], limit=1).items
    if not found:
        raise Invalid(
            "Nobody with this email address is known yet: add them to their organisation "
            "first, or open a ticket for them."
        )
    return found[0].id


def people_choice(
    session: Session,
    actor: Actor,
    *,
    ticket_id: int | None,
    person_id: str,
    purpose: str | None = None,
) -> list[tuple[str, str, str]]:
    """Whom a new call, session or quote may be with, as (id, name, why): the named person,
    or the requester and the end user of the ticket. Empty: the form asks for an email."""
    if person_id:
        shown = people.names(session, actor, [person_id], purpose)
        return [(person_id, shown.get(person_id, "(name not shown)"), "")]
    if ticket_id is None:
        return []
    ticket = tickets.get_ticket(session, actor, ticket_id)
    found = [(ticket.requester_id, ticket.requester_name or "(name not shown)", "requester")]
    if ticket.about_id:
        found.append(
            (ticket.about_id, ticket.about_name or "(name not shown)", "the request is about them")
        )
    return found
