"""HTML pages: the agents' desk at /desk, the queue and tickets.

The queue (filters, search, saved views, pages; htmx swaps the table, a plain GET form does
the same without JavaScript) and a ticket (who it is from and about, status, priority and
assignee, the conversation with internal notes set apart, the history of changes, replies
and notes with attachments, canned replies). Calls and remote sessions, devices and
organisations, and billing have their own modules, whose routers are mounted here.

Only staff who passed MFA get in (page_kit); each part is for the roles whose purpose it
serves (desk_kit), and the services check again, through the access gate.
"""

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from steward.core.actor import Actor
from steward.core.errors import DomainError
from steward.desk import directory, messages, notify, organisations, tickets, views
from steward.desk.models import CHANNELS, PRIORITIES, STATUSES
from steward.web.auth import SettingsDep
from steward.web.deps import SessionDep
from steward.web.pages.desk_kit import (
    NOT_EMAILED,
    PAGE_SIZE,
    PERSON_KINDS,
    STATUS_NAMES,
    Agent,
    DeskRoute,
    FormText,
    Offset,
    QueryText,
    agents,
    download,
    limited,
    notices,
    refused,
    see_other,
    show,
    staff_names,
    uploads_of,
    with_query,
)
from steward.web.pages.kit import PageStaff, SeeOther, failed, home_of, render

router = APIRouter(prefix="/desk", include_in_schema=False, route_class=DeskRoute)

Files = Annotated[list[UploadFile] | None, File()]
# The queue's query parameters and the TicketFilter fields they fill.
FILTER_PARAMS = {
    "status": "status",
    "priority": "priority",
    "channel": "channel",
    "assignee": "assignee_id",
    "organisation": "organisation_id",
    "requester": "requester_id",
    "q": "text",
}


# The queue

# The views every agent has, before their own saved ones: (name, filters). With no status
# chosen, the queue shows the open work (tickets not yet resolved).
BUILT_IN_VIEWS: tuple[tuple[str, dict[str, str]], ...] = (
    ("All open", {}),
    ("Mine", {"assignee": "me"}),
    ("Unassigned", {"assignee": "none"}),
    ("All tickets", {"status": "all"}),
)
QUEUE_STATUSES = {**STATUS_NAMES, "all": "All"}  # the status filter; left blank: "All open"
FOUND = 10  # people and organisations a search shows beside the tickets


def _queue_context(
    session: Session, actor: Actor, chosen: dict[str, str], offset: int
) -> dict[str, Any]:
    """The tickets the filters choose, the views (the one shown marked), and for a search the
    people and organisations it finds too. A search looks in every status unless one is
    chosen: a closed ticket is still found by its number."""
    status = chosen["status"] or ("all" if chosen["q"] else "all_open")
    filters = tickets.TicketFilter(
        **{FILTER_PARAMS[k]: v for k, v in {**chosen, "status": status}.items() if v}
    )
    error = None
    try:
        page = tickets.list_tickets(session, actor, filters, offset=offset, limit=PAGE_SIZE)
        items, next_offset = list(page.items), page.next_offset
    except DomainError as problem:  # a bad filter in a hand-made address: say so, list nothing
        if problem.status != 422:
            raise
        failed(session, problem)
        items, next_offset, error = [], None, problem.message
    shown = {k: v for k, v in chosen.items() if v}
    saveable = {k: v for k, v in shown.items() if k != "q"}
    return {
        "tickets": items,
        "filters": chosen,
        "error": error,
        "team": agents(session, actor),
        "assignees": staff_names(session, actor, (t.assignee_id for t in items)),
        "next_url": with_query("/desk", **shown, offset=next_offset) if next_offset else None,
        "previous_url": (
            with_query("/desk", **shown, offset=max(offset - PAGE_SIZE, 0) or None)
            if offset
            else None
        ),
        "statuses": STATUS_NAMES,
        "queue_statuses": QUEUE_STATUSES,
        "priorities": PRIORITIES,
        "channels": CHANNELS,
        "saveable": saveable,
        "views": _views(session, actor, saveable),
        **_found(session, actor, chosen["q"]),
    }


def _views(
    session: Session, actor: Actor, current: dict[str, str]
) -> list[tuple[str, str, bool, str | None]]:
    """(name, link, whether it is the one shown, the saved view's id): the built-in views,
    then the actor's own."""
    found: list[tuple[str, str, bool, str | None]] = [
        (name, with_query("/desk", **f), f == current, None) for name, f in BUILT_IN_VIEWS
    ]
    for saved in views.list_views(session, actor):
        params = {p: saved.filters[f] for p, f in FILTER_PARAMS.items() if saved.filters.get(f)}
        found.append((saved.name, with_query("/desk", **params), params == current, saved.id))
    return found


def _found(session: Session, actor: Actor, q: str) -> dict[str, Any]:
    """People (by name, or an exact email address) and organisations (by name) a search
    finds, each linking to its page."""
    if not q:
        return {"people": [], "found_organisations": []}
    people = directory.search_people(session, actor, q, limit=FOUND)
    found = organisations.list_organisations(session, actor, text=q, limit=FOUND)
    return {
        "people": people.items,
        "more_people": people.next_offset is not None,
        "found_organisations": found.items,
        "more_organisations": found.next_offset is not None,
        "person_kinds": PERSON_KINDS,
    }


@router.get("", response_class=HTMLResponse)
def queue(
    request: Request,
    actor: PageStaff,
    session: SessionDep,
    status: QueryText = "",
    priority: QueryText = "",
    channel: QueryText = "",
    assignee: QueryText = "",
    organisation: QueryText = "",
    requester: QueryText = "",
    q: QueryText = "",
    offset: Offset = 0,
    notice: str = "",
) -> Response:
    """The queue, newest first: the open work unless a status is chosen. Roles that do not
    work the queue land on their own part. htmx asks for the table only (and the views,
    swapped out of band, so the one shown stays marked)."""
    if home_of(actor.role) != "/desk":
        raise SeeOther(home_of(actor.role))
    chosen = {
        "status": "" if status == "all_open" else status,
        "priority": priority,
        "channel": channel,
        "assignee": assignee,
        "organisation": organisation,
        "requester": requester,
        "q": q.strip(),
    }

    swap = request.headers.get("HX-Target") == "queue" and not request.headers.get(
        "HX-History-Restore-Request"
    )

    def build() -> dict[str, Any]:
        return {
            **_queue_context(session, actor, chosen, offset),
            "notices": notices(notice),
            "swap": swap,
        }

    response = show(request, session, "desk/_queue.html" if swap else "desk/queue.html", build)
    response.headers["Vary"] = "HX-Request, HX-Target"
    return response


@router.post("/views", response_class=HTMLResponse)
def save_view(
    request: Request,
    actor: Agent,
    session: SessionDep,
    name: FormText = "",
    status: FormText = "",
    priority: FormText = "",
    channel: FormText = "",
    assignee: FormText = "",
    organisation: FormText = "",
    requester: FormText = "",
) -> Response:
    """Save the queue's current filters under a name (never its search words)."""
    chosen = {
        "status": status,
        "priority": priority,
        "channel": channel,
        "assignee": assignee,
        "organisation": organisation,
        "requester": requester,
    }
    try:
        views.create_view(
            session,
            actor,
            name,
            {FILTER_PARAMS[k]: v[:100] for k, v in chosen.items() if v},
        )
    except DomainError as error:
        failed(session, error)
        context = _queue_context(session, actor, {**chosen, "q": ""}, 0)
        context.update(view_error=error.message, view_name=limited(name, 100), notices=[])
        return render(request, "desk/queue.html", context, status_code=error.status)
    return see_other("/desk", **chosen, notice="view_saved")


@router.post("/views/{view_id}/delete", response_class=HTMLResponse)
def delete_view(request: Request, view_id: str, actor: Agent, session: SessionDep) -> Response:
    try:
        views.delete_view(session, actor, view_id)
    except DomainError as error:
        return refused(request, session, error)
    return see_other("/desk", notice="view_deleted")


# A ticket


def _ticket_context(
    session: Session, actor: Actor, ticket_id: int, canned: str, body: str
) -> dict[str, Any]:
    ticket = tickets.get_ticket(session, actor, ticket_id)
    replies = views.list_canned(session, actor)
    chosen = next((r for r in replies if r.id == canned), None)
    if chosen is not None:
        body = f"{body.rstrip()}\n\n{chosen.body}".strip() if body.strip() else chosen.body
    team = agents(session, actor)
    event_accounts = [e.actor_id for e in ticket.events]
    event_accounts += [v for e in ticket.events if e.field == "assignee" for v in (e.old, e.new)]
    names = staff_names(session, actor, [ticket.assignee_id, *event_accounts])
    return {
        "ticket": ticket,
        "team": team,
        "names": names,
        "canned": replies,
        "canned_id": canned,
        "body": body,
        "visibility": "public",
        "statuses": STATUS_NAMES,
        # "Send and set status" offers waiting on the customer first, as most replies ask.
        "then_status": "resolved"
        if ticket.status == "waiting_on_customer"
        else "waiting_on_customer",
        "priorities": PRIORITIES,
        "closed": ticket.status == "closed",
        "me": actor.account_id,
    }


@router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket_page(
    request: Request,
    ticket_id: int,
    actor: Agent,
    session: SessionDep,
    canned: Annotated[str, Query(max_length=36)] = "",
    body: Annotated[str, Query(max_length=messages.MAX_BODY)] = "",
    notice: str = "",
    masked: Annotated[int, Query(ge=0, le=1000)] = 0,
    unmailed: Annotated[str, Query(max_length=20)] = "",
    status_set: Annotated[str, Query(max_length=30)] = "",
    call: Annotated[str, Query(max_length=36)] = "",
    problem: Annotated[str, Query(max_length=300)] = "",
) -> Response:
    """The ticket; `canned` puts a canned reply into the reply box (after `body`, the text
    already typed, which htmx sends along). `unmailed` names why a reply was not emailed,
    `status_set` the status a reply set; `call` is a call just logged on the ticket, and
    `problem` what went wrong after a form succeeded (a recording not kept)."""

    def build() -> dict[str, Any]:
        context = _ticket_context(session, actor, ticket_id, canned, body)
        context["notices"] = notices(notice, messages.masking_notice(masked))
        if notice == "replied" and unmailed in notify.REASONS:
            context["notices"] = [
                NOT_EMAILED.format(reason=notify.REASONS[unmailed]),
                *context["notices"][1:],
            ]
        if status_set in STATUS_NAMES:
            context["notices"].append(f"The status is now {STATUS_NAMES[status_set]}.")
        context.update(logged_call=call, problem=problem)
        return context

    if request.headers.get("HX-Target") == "reply-form":
        return show(request, session, "desk/_reply.html", build)
    return show(request, session, "desk/ticket.html", build)


def _ticket_again(
    request: Request,
    session: Session,
    actor: Actor,
    ticket_id: int,
    error: DomainError,
    extra: dict[str, Any],
) -> HTMLResponse:
    """The ticket shown again after a refused form, the error beside it, the values kept."""
    failed(session, error)
    try:
        context = _ticket_context(session, actor, ticket_id, "", extra.pop("body", ""))
    except DomainError as missing:
        return refused(request, session, missing)
    context.update(notices=[], **extra)
    return render(request, "desk/ticket.html", context, status_code=error.status)


@router.post("/tickets/{ticket_id}/update", response_class=HTMLResponse)
def update_ticket(
    request: Request,
    ticket_id: int,
    actor: Agent,
    session: SessionDep,
    settings: SettingsDep,
    status: FormText = "",
    priority: FormText = "",
    assignee: FormText = "",
) -> Response:
    """Change status, priority or assignee ("me": the agent; "none": nobody); a field left
    empty stays as it is. Every change lands in the ticket's history."""
    assignee = (actor.account_id or "") if assignee == "me" else assignee
    try:
        tickets.update_ticket(
            session,
            settings,
            actor,
            ticket_id,
            status=status[:30] or None,
            priority=priority[:30] or None,
            assignee_id=assignee[:36] or None,
        )
    except DomainError as error:
        return _ticket_again(
            request, session, actor, ticket_id, error, {"fields_error": error.message}
        )
    return see_other(f"/desk/tickets/{ticket_id}", notice="updated")


@router.post("/tickets/{ticket_id}/messages", response_class=HTMLResponse)
async def add_message(
    request: Request,
    ticket_id: int,
    actor: Agent,
    session: SessionDep,
    settings: SettingsDep,
    body: FormText = "",
    visibility: FormText = "public",
    then_status: FormText = "",
    and_set: FormText = "",
    attachments: Files = None,
) -> Response:
    """A public reply (mailed to the requester) or an internal note, with attachments; with
    `and_set` ("Send and set status"), the ticket then takes `then_status`."""
    new_status = then_status[:30] if and_set else ""
    try:
        if new_status:  # a wrong status is refused before anything is sent
            messages.choice(new_status, STATUSES, "status")
        written = messages.add_message(
            session,
            settings,
            actor,
            ticket_id,
            body=body,
            visibility=visibility,
            channel="web",
            attachments=await uploads_of(attachments, messages.MAX_ATTACHMENT_BYTES),
        )
    except DomainError as error:
        extra = {
            "reply_error": error.message,
            "body": limited(body, messages.MAX_BODY),
            "visibility": "internal" if visibility == "internal" else "public",
        }
        if new_status:
            extra["then_status"] = new_status
        return _ticket_again(request, session, actor, ticket_id, error, extra)
    problem = None
    if new_status:
        try:
            # One mail: the reply the requester just got, not a status notice after it.
            mailed = written.visibility == "public"
            tickets.update_ticket(
                session, settings, actor, ticket_id, status=new_status, tell_status=not mailed
            )
        except DomainError as error:  # the reply is sent: say why the status stayed
            failed(session, error)
            new_status, problem = "", f"The status was not changed: {error.message}"[:300]
    return see_other(
        f"/desk/tickets/{ticket_id}",
        notice="noted" if written.visibility == "internal" else "replied",
        masked=written.card_numbers_masked or None,
        unmailed=notify.reason_code(written.not_emailed),
        status_set=new_status,
        problem=problem,
        anchor=f"m-{written.id}",
    )


@router.get("/attachments/{attachment_id}")
def attachment(
    request: Request,
    attachment_id: str,
    actor: Agent,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """An attachment, always as a download: an uploaded page or image never runs as ours."""
    try:
        filename, content_type, data = messages.read_attachment(
            session, settings, actor, attachment_id
        )
    except DomainError as error:
        return refused(request, session, error)
    return download(filename, content_type, data)
