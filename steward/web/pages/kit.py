"""What the HTML pages share: who is looking, rendering with the nav and CSRF token, redirects
to sign-in, checking a form with the input model the API checks the same input with, and
showing a form's error next to the form; times, dates and amounts as the viewer reads them
(`when`, `day`, `money` in every template).

Page routers use `PageRoute` so a dependency may raise `SeeOther` to send the browser
elsewhere (sign-in, the MFA step, the right home for the role).
"""

from collections.abc import Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from fastapi.routing import APIRoute
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.orm import Session

from steward.access.gate import Refused, record_refusal
from steward.consent import policy_acceptance
from steward.core.actor import Actor
from steward.core.errors import DomainError, Forbidden, Invalid
from steward.identity.common import EMAIL_PATTERN, load_account
from steward.identity.errors import NotSignedIn
from steward.identity.models import STAFF_ROLES, Account
from steward.identity.sessions import Current
from steward.policy.active import Words
from steward.policy.local import Local
from steward.policy.publish import name_of
from steward.policy.serviceable import BILLING, keeps_devices
from steward.rights.common import OFFICER_ROLES
from steward.web.auth import CSRF_COOKIE, CsrfRefused, SentCsrf, looked_up, session_of
from steward.web.deps import SessionDep


class SeeOther(Exception):
    """Send the browser to `location` with a 303 (raised by page dependencies)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class PageRoute(APIRoute):
    """A route whose handler (or its dependencies) may raise SeeOther."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except SeeOther as redirect:
                return RedirectResponse(redirect.location, status_code=303)

        return handle


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a page, for the nav: nobody, a customer or a staff member."""

    role: str | None = None
    mfa_passed: bool = False
    time_zone: str | None = None  # the viewer's own or their organisation's; else the business's

    @property
    def signed_in(self) -> bool:
        return self.role is not None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_customer(self) -> bool:
        return self.role == "customer"


def current_or_none(request: Request, session: Session) -> Current | None:
    try:
        return session_of(request, session)
    except NotSignedIn:
        return None


async def looked_up_or_none(request: Request, session: Session) -> Current | None:
    try:
        return await looked_up(request, session)
    except NotSignedIn:
        return None


def safe_next(target: str | None, default: str = "/portal") -> str:
    """Only a path on this site: never another host (an open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(c.isspace() or not c.isprintable() for c in target):
        return default  # browsers drop tabs and newlines: "/\t/evil" would become "//evil"
    return target


# Where each role's work is: where signing in lands them, and where /desk sends those who
# do not work its queue. Agents and admins (and anyone else) land in the desk's queue.
HOMES = {
    "customer": "/portal",
    "billing": "/desk/billing",
    "call_reviewer": "/desk/calls",
    "privacy_officer": "/dpo",
}


def home_of(role: str) -> str:
    return HOMES.get(role, "/desk")


def here_of(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def sign_in_url(request: Request) -> str:
    return f"/sign-in?next={quote(here_of(request), safe='/')}"


async def page_current(request: Request, session: SessionDep, sent: SentCsrf) -> Current:
    """The signed-in session of a page request, CSRF-checked on forms; anonymous visitors are
    sent to sign in and come back afterwards."""
    current = await looked_up_or_none(request, session)
    if current is None:
        raise SeeOther(sign_in_url(request))
    if request.method not in ("GET", "HEAD", "OPTIONS") and not current.csrf_matches(sent):
        raise CsrfRefused("The form has expired or did not come from this site: reload the page.")
    request.state.viewer = viewer_of(current)
    return current


PageCurrent = Annotated[Current, Depends(page_current)]


# Pages that wait until a signed-in person has accepted a materially changed policy (C4).
ACCEPT_FIRST = ("/portal", "/desk")


def page_actor(request: Request, current: PageCurrent, session: SessionDep) -> Actor:
    """A signed-in actor who has passed MFA; one who has not is sent to the MFA step, and in
    the portal and desk, one who has not accepted a material policy change is asked to."""
    if not current.mfa_passed:
        raise SeeOther(mfa_step(session, current))
    if request.url.path.startswith(ACCEPT_FIRST) and current.actor.person_id is not None:
        sha256 = request.app.state.active_policy.sha256
        if policy_acceptance.pending(session, current.actor.person_id, sha256) is not None:
            raise SeeOther(f"/privacy/accept?next={quote(here_of(request), safe='/')}")
    return current.actor


def mfa_step(session: Session, current: Current) -> str:
    """Where a session that has not passed MFA goes: a new password first when a reset was
    forced on the account, then enrol (staff without MFA, or after a forced reset) or the
    code."""
    account = load_account(session, Account.id == current.actor.account_id)
    if account is not None and account.password_reset_forced_at is not None:
        return RESET_STEP
    enrolled = account is not None and account.mfa_enabled_at is not None
    return "/mfa" if enrolled else "/mfa/enrol"


RESET_STEP = "/account/new-password"  # where a forced reset starts


PageActor = Annotated[Actor, Depends(page_actor)]


async def page_customer(actor: PageActor) -> Actor:
    """The portal is for customers; staff go to the desk."""
    if actor.role != "customer":
        raise SeeOther("/desk")
    return actor


PageCustomer = Annotated[Actor, Depends(page_customer)]


async def page_staff(actor: PageActor) -> Actor:
    """The desk is for staff; customers go to the portal."""
    if actor.role not in STAFF_ROLES:
        raise SeeOther("/portal")
    return actor


PageStaff = Annotated[Actor, Depends(page_staff)]


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    viewer: Viewer | None = None,
) -> HTMLResponse:
    """A page with the shared context: the business name, the viewer (for the nav) and the
    CSRF token for forms and htmx."""
    if viewer is None:
        found = getattr(request.state, "viewer", None)
        viewer = found if isinstance(found, Viewer) else Viewer()
    policy = request.app.state.active_policy.policy
    local = Local.of(policy.controller, viewer.time_zone)
    full: dict[str, Any] = {
        "business": name_of(policy),
        "viewer": viewer,
        # Times in the viewer's zone, dates and amounts as the business's locale writes them.
        "local": local,
        "money": local.money,
        "words": Words(policy),
        # Also for pages anyone may see: a signed-in browser's forms must carry it there too.
        "csrf_token": request.cookies.get(CSRF_COOKIE, ""),
        "htmx": request.headers.get("HX-Request") == "true",
        # What the nav offers: a business may keep no device inventory and bill nothing, and
        # a role sees the parts of the desk the policy's purposes give it.
        "keeps_devices": keeps_devices(policy),
        "bills": BILLING in policy.purposes,
        "role_purposes": {k for k, p in policy.purposes.items() if viewer.role in p.roles},
        **(context or {}),
    }
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, full, status_code=status_code
    )
    response.headers["Cache-Control"] = "no-store"  # pages carry personal data
    return response


def local_of(request: Request) -> Local:
    """The viewer's formats, for a page that reads a typed time or formats one itself."""
    found = getattr(request.state, "viewer", None)
    zone = found.time_zone if isinstance(found, Viewer) else None
    return Local.of(request.app.state.active_policy.policy.controller, zone)


@pass_context
def when(context: Context, moment: datetime | None) -> Markup:
    """A moment as the viewer reads it, in a <time> carrying the exact instant."""
    if moment is None:
        return Markup("")
    local: Local = context["local"]
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        moment.isoformat(), local.zone_name(moment), local.moment(moment)
    )


@pass_context
def day(context: Context, value: date | datetime | None) -> Markup:
    if value is None:
        return Markup("")
    return Markup('<time datetime="{}">{}</time>').format(
        value.isoformat(), context["local"].day(value)
    )


async def note_viewer(request: Request, session: SessionDep) -> None:
    """Router-wide, for pages anyone may open: who is looking, for the nav."""
    request.state.viewer = viewer_of(await looked_up_or_none(request, session))


def viewer_of(current: Current | None) -> Viewer:
    if current is None:
        return Viewer()
    return Viewer(current.actor.role, current.mfa_passed, current.time_zone)


def failed(session: Session, error: DomainError) -> None:
    """Undo the failed unit of work before the form is shown again; a policy refusal is still
    written to the audit trail."""
    session.rollback()
    if isinstance(error, Refused):
        record_refusal(session, error)


M = TypeVar("M", bound=BaseModel)

# What is wrong with a value, by pydantic's error type, in words; never the value itself.
WHY = {
    "missing": "required",
    "string_too_long": "at most {max_length} characters",
    "string_too_short": "at least {min_length} characters",
    "too_long": "at most {max_length}",
    "too_short": "at least {min_length}",
    "greater_than_equal": "at least {ge}",
    "less_than_equal": "at most {le}",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "yes or no",
    "date_parsing": "a date like 2026-03-31",
    "date_from_datetime_parsing": "a date like 2026-03-31",
    "datetime_parsing": "a date and time like 2026-03-31T09:30",
    "datetime_from_date_parsing": "a date and time like 2026-03-31T09:30",
    "timezone_aware": "a date and time with its time zone",
    "literal_error": "one of the choices offered",
    "string_pattern_mismatch": "not in the expected form",
}


def form_input(model: type[M], values: Mapping[str, object], labels: Mapping[str, str]) -> M:
    """A form's values checked by `model`, the input model the API checks the same input
    with, so a form accepts and refuses what the API does. A field left blank is not given
    (the model's default applies); names that are not the model's, such as csrf_token, are
    left out. A mistake raises Invalid naming each field as the form labels it (`labels`, by
    field name) and what is wrong, never the value typed: the page's usual error path shows
    the form again with what was sent."""
    given = {
        name: value
        for name, value in values.items()
        if name in model.model_fields and not (isinstance(value, str) and not value.strip())
    }
    try:
        return model.model_validate(given)
    except ValidationError as error:
        raise Invalid(_mistakes(error.errors(), labels)) from None


def _mistakes(errors: list[ErrorDetails], labels: Mapping[str, str]) -> str:
    found: dict[str, list[str]] = {}
    for error in errors:
        whys = found.setdefault(_where(error["loc"], labels), [])
        ctx = error.get("ctx", {})
        why = WHY.get(error["type"], "not valid").format(**ctx)
        if error["type"] == "string_too_short" and ctx.get("min_length") == 1:
            why = "required"
        if error["type"] == "string_pattern_mismatch" and ctx.get("pattern") == EMAIL_PATTERN:
            why = "an address like name@example.com"
        if why not in whys:  # a value two types accept (a date, or a date and time): both said
            whys.append(why)
    listed = "; ".join(f"{where} ({' or '.join(whys)})" for where, whys in found.items())
    return f"Check {'this field' if len(found) == 1 else 'these fields'}: {listed}."


def _where(loc: tuple[int | str, ...], labels: Mapping[str, str]) -> str:
    """A field as the form labels it. In a list, the position counts from 1; a nested field
    has its own label where the form gives one, as "outer.inner", with {n} for the position
    ("Unit price of line {n}"). Unlabelled nested names are left out: in a union, pydantic puts
    the branch's type there, which is no field."""
    first, *rest = loc or ("form",)
    words = labels.get(str(first), str(first).replace("_", " ").capitalize())
    position: int | None = None
    for part in rest:
        if isinstance(part, int):
            position = part + 1
            words = f"{words} {position}"
        elif f"{first}.{part}" in labels:
            words = labels[f"{first}.{part}"].format(n=position)
    return words


def file_response(data: bytes | Iterator[bytes], content_type: str, filename: str) -> Response:
    """A file for the browser to save, never to render or cache; parts are sent as read."""
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    if isinstance(data, bytes):
        return Response(data, media_type=content_type, headers=headers)
    return StreamingResponse(data, media_type=content_type, headers=headers)


async def page_officer(actor: PageStaff) -> Actor:
    if actor.role not in OFFICER_ROLES:
        raise Forbidden("Only the privacy officer handles rights requests.")
    return actor


Officer = Annotated[Actor, Depends(page_officer)]
