"""Who is asking: the `steward_session` cookie, CSRF protection and role requirements.

Dependencies are `async def` and send only their database work to a worker thread (FastAPI
runs a plain `def` dependency in one whole): a hop costs more than most of them do, and a
request's session is looked up once however many of them ask."""

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from steward.access.gate import role_refused
from steward.core.actor import Actor
from steward.core.settings import Settings
from steward.desk.organisations import member_zone
from steward.identity import sessions
from steward.identity.errors import NotPermitted, NotSignedIn
from steward.identity.sessions import Current, Started
from steward.web.deps import SessionDep

SESSION_COOKIE = "steward_session"
CSRF_COOKIE = "steward_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRefused(NotPermitted):
    title = "CSRF check failed"


async def settings_of(request: Request) -> Settings:
    settings = request.app.state.settings
    if not isinstance(settings, Settings):
        raise RuntimeError("the app carries no settings")
    return settings


SettingsDep = Annotated[Settings, Depends(settings_of)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def sent_csrf_token(request: Request) -> str | None:
    """The CSRF token a request carries: the header (API calls, htmx) or, for a plain HTML
    form posted without JavaScript, its `csrf_token` field."""
    header = request.headers.get(CSRF_HEADER)
    if header or request.method in SAFE_METHODS:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        token = (await request.form()).get(CSRF_FIELD)
        return token if isinstance(token, str) else None
    return None


SentCsrf = Annotated[str | None, Depends(sent_csrf_token)]


def session_of(request: Request, session: Session) -> Current:
    """The live session of the request's cookie (or NotSignedIn), looked up once per request:
    the router's CSRF guard and the route's own dependency both ask for it."""
    found = getattr(request.state, "signed_in", None)
    if not isinstance(found, Current):
        found = sessions.current(session, request.cookies.get(SESSION_COOKIE))
        if (
            found.time_zone is None
            and found.actor.role == "customer"
            and found.actor.person_id
            and not request.url.path.startswith("/api/")  # JSON carries UTC: no zone needed
        ):
            found = replace(found, time_zone=member_zone(session, found.actor.person_id))
        request.state.signed_in = found
    return found


async def looked_up(request: Request, session: Session) -> Current:
    """`session_of` for async dependencies: the database is asked in a worker thread, and
    not at all when the request carries no session cookie or has looked its session up."""
    found = getattr(request.state, "signed_in", None)
    if isinstance(found, Current):
        return found
    if not request.cookies.get(SESSION_COOKIE):
        raise NotSignedIn("Sign in first.")
    return await run_in_threadpool(session_of, request, session)


async def signed_in(request: Request, session: SessionDep, sent: SentCsrf) -> Current:
    """The request's session, MFA passed or not (for MFA steps and sign-out), CSRF-checked."""
    current = await looked_up(request, session)
    if request.method not in SAFE_METHODS and not current.csrf_matches(sent):
        raise CsrfRefused(f"Send the {CSRF_HEADER} header with the token given at sign-in.")
    return current


SignedIn = Annotated[Current, Depends(signed_in)]


async def current_actor(current: SignedIn) -> Actor:
    """The signed-in actor, who has passed MFA where it is required (all staff)."""
    return current.require_mfa_passed()


CurrentActor = Annotated[Actor, Depends(current_actor)]


def require_roles(*roles: str) -> Callable[[Actor], Awaitable[Actor]]:
    async def dependency(actor: CurrentActor) -> Actor:
        if actor.role not in roles:  # audited like every refusal of the gate
            raise role_refused(actor, "Your role may not do this.", title=NotPermitted.title)
        return actor

    return dependency


async def csrf_guard(request: Request, session: SessionDep, sent: SentCsrf) -> None:
    """Router-wide: an unsafe request carrying a live session cookie must carry its CSRF token,
    even on routes that do not need a signed-in account."""
    if request.method in SAFE_METHODS or not request.cookies.get(SESSION_COOKIE):
        return
    try:
        current = await looked_up(request, session)
    except NotSignedIn:
        return  # a dead cookie grants nothing, so there is nothing to protect
    if not current.csrf_matches(sent):
        raise CsrfRefused(f"Send the {CSRF_HEADER} header with the token given at sign-in.")


def set_session_cookies(request: Request, response: Response, started: Started) -> None:
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE, started.token, httponly=True, samesite="lax", secure=secure, path="/"
    )
    response.set_cookie(
        CSRF_COOKIE, started.csrf, httponly=False, samesite="lax", secure=secure, path="/"
    )


def clear_session_cookies(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
