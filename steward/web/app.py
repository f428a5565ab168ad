"""The FastAPI application: built from settings, serving the active policy."""

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import exc as db_errors
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import steward.models  # noqa: F401  (every table: the data map and backups walk them)
from steward import __version__
from steward.audit.sequencer import keep_linking
from steward.audit.service import use_key
from steward.core.db import make_engine, make_sessionmaker, release, upgrade
from steward.core.errors import DomainError
from steward.core.runtime import Runtime
from steward.core.settings import Settings, get_settings
from steward.core.shared import KEYS, POLICY, Follower
from steward.policy import lifecycle
from steward.policy.service import ActivePolicy, read_active, record_version, recorded
from steward.vault.keyring import Keyring
from steward.vault.service import Vault
from steward.web import pages
from steward.web.api import admin as admin_api
from steward.web.api import alerts as alerts_api
from steward.web.api import audit as audit_api
from steward.web.api import auth as auth_api
from steward.web.api import billing as billing_api
from steward.web.api import calls as calls_api
from steward.web.api import consent as consent_api
from steward.web.api import data_use as data_use_api
from steward.web.api import devices as devices_api
from steward.web.api import health as health_api
from steward.web.api import incident_containment as incident_containment_api
from steward.web.api import incident_impact as incident_impact_api
from steward.web.api import incident_notices as incident_notices_api
from steward.web.api import incidents as incidents_api
from steward.web.api import me as me_api
from steward.web.api import organisations as organisations_api
from steward.web.api import policy as policy_api
from steward.web.api import preferences as preferences_api
from steward.web.api import retention as retention_api
from steward.web.api import rights as rights_api
from steward.web.api import rights_work as rights_work_api
from steward.web.api import tickets as tickets_api
from steward.web.api import transfers as transfers_api
from steward.web.auth import SESSION_COOKIE
from steward.web.cors import BannerCORS
from steward.web.headers import SecurityHeaders
from steward.web.pages import kit as page_kit

log = logging.getLogger("steward.web")
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.globals.update(when=page_kit.when, day=page_kit.day)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Upgrade the database, load and record the policy, and build the app.

    Raises PolicyInvalid when the policy file has problems, so nothing is served from a
    policy that says something the software cannot hold to.
    """
    settings = settings or get_settings()
    active = read_active(settings.policy)
    vault = Vault(Keyring.load(settings.key_file), settings.key_file)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    use_key(engine, vault.keyring.signing_key)
    sessions = make_sessionmaker(engine)
    record_version(sessions, active)
    follower = Follower()
    follower.start(sessions)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Links the audit entries of this process and any other (`make run` has no worker).
        linking = asyncio.create_task(keep_linking(engine, vault.keyring.signing_key))
        try:
            yield
        finally:
            linking.cancel()
            with suppress(asyncio.CancelledError):
                await linking
            release(engine)

    # No Swagger or ReDoc pages: they load scripts from third-party CDNs. /openapi.json stays.
    app = FastAPI(
        title="Steward", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.sessions = sessions
    app.state.runtime = Runtime(sessions, vault, settings, active.policy, follower)
    _take_policy(app, active)

    def take_policy(sha256: str | None) -> None:
        if sha256 is not None:
            _take_policy(app, recorded(sessions, sha256))

    follower.reloads.update({KEYS: vault.reload, POLICY: take_policy})
    release(engine)  # hold no connection until the first request; an unused app leaks none
    app.state.vault = vault
    app.state.settings = settings
    app.state.templates = TEMPLATES
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.router.routes.extend(_routes())
    app.add_middleware(FollowSharedState, runtime=app.state.runtime)
    _install_error_handlers(app)
    if settings.banner_origin_list:
        app.add_middleware(BannerCORS, origins=settings.banner_origin_list)
    app.add_middleware(SecurityHeaders)
    if settings.trusted_proxy_list:  # outermost: every layer sees the forwarded client
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    return app


def _take_policy(app: FastAPI, active: ActivePolicy) -> None:
    """Serve `active` from now on: pages read the app's state on each request."""
    with app.state.sessions() as session:
        versions = lifecycle.consent_versions(session, active.sha256)
    app.state.consent_versions = tuple(versions) or (active.policy.version,)
    app.state.active_policy = active
    app.state.runtime.policy = active.policy


class FollowSharedState:
    """Before a request, take up a policy another process published or a rotated key
    (core.shared): a clock reading, and once a second a look at the database, in a thread."""

    def __init__(self, app: ASGIApp, runtime: Runtime[Vault, Any]) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        follower = self.runtime.follower
        if scope["type"] == "http" and follower is not None and follower.due():
            await run_in_threadpool(self.runtime.follow)
        await self.app(scope, receive, send)


@cache
def _routes() -> tuple[BaseRoute, ...]:
    """Every route of the API and the pages, built once per process.

    Apps share these route objects rather than including the routers: FastAPI builds an
    included router's routes again for each app on its first requests, which costs a
    server nothing but costs the suite, which builds an app per test, a fifth of its time.
    """
    routers = [
        health_api.router,
        policy_api.router,
        auth_api.router,
        me_api.router,
        admin_api.router,
        transfers_api.router,
        audit_api.router,
        # Before the intake router: its GET /rights/{reference} would catch /rights/signing-key.
        rights_work_api.router,
        data_use_api.router,
        retention_api.router,
        incident_containment_api.router,
        incident_impact_api.router,
        incident_notices_api.router,
        incidents_api.router,
        alerts_api.router,
        rights_api.router,
        tickets_api.router,
        organisations_api.router,
        devices_api.router,
        calls_api.router,
        billing_api.router,
        preferences_api.router,
        consent_api.router,
        consent_api.well_known,
        *pages.ROUTERS,
    ]
    return tuple(route for router in routers for route in router.routes)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _viewer(request: Request) -> page_kit.Viewer:
    """Who is looking at an error page, for its nav: known to the page that failed, or from
    the session cookie; nobody when that cannot be read (the database may be the trouble)."""
    found = getattr(request.state, "viewer", None)
    if isinstance(found, page_kit.Viewer):
        return found
    if not request.cookies.get(SESSION_COOKIE):
        return page_kit.Viewer()

    def look_up() -> page_kit.Viewer:
        with request.app.state.runtime.session() as session:
            return page_kit.viewer_of(page_kit.current_or_none(request, session))

    try:
        return await run_in_threadpool(look_up)
    except Exception:  # an error page must render whatever failed
        return page_kit.Viewer()


async def _problem(
    request: Request, status: int, title: str, detail: str, *, ask_database: bool = True
) -> Response:
    if _wants_json(request):
        return JSONResponse(
            {
                "type": "about:blank",
                "title": title,
                "status": status,
                "detail": detail,
                "instance": request.url.path,
            },
            status_code=status,
            media_type="application/problem+json",
        )
    viewer = await _viewer(request) if ask_database else page_kit.Viewer()
    home = page_kit.home_of(viewer.role) if viewer.role else "/privacy"
    context = {"title": title, "detail": detail, "home": home}
    return page_kit.render(request, "error.html", context, status_code=status, viewer=viewer)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> Response:
        response = await _problem(request, error.status, error.title, error.message)
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        titles = {404: "Not found", 405: "Method not allowed"}
        title = titles.get(error.status_code, "Error")
        detail = (
            "There is nothing at this address." if error.status_code == 404 else str(error.detail)
        )
        return await _problem(request, error.status_code, title, detail)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        fields = ", ".join(".".join(str(p) for p in e["loc"][1:]) for e in error.errors())
        return await _problem(request, 422, "Invalid input", f"Check these fields: {fields}.")

    app.add_middleware(ContainUnexpectedErrors)


RETRY_AFTER_OUTAGE = 5  # seconds; the pool's pre-ping finds the database again by itself


def database_unavailable(error: Exception) -> bool:
    """Whether an error means the database cannot serve just now (unreachable, restarting,
    its connection cut, SQLite busy) rather than a bug: the request may simply be tried again.
    SQLite reports bugs (a missing table) as OperationalError too, so there only busy counts."""
    if isinstance(error, db_errors.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, db_errors.DisconnectionError | db_errors.TimeoutError):
        return True
    if not isinstance(error, db_errors.OperationalError | db_errors.InterfaceError):
        return False
    if isinstance(error.orig, sqlite3.Error):
        code = getattr(error.orig, "sqlite_errorcode", 0) & 0xFF
        return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return True


class ContainUnexpectedErrors:
    """Answer a bug with a plain 500, and a database that cannot be reached with a 503 the
    client may retry, logging only the error's type and route, never its message: an
    exception's text can carry personal data. Plain ASGI rather than `@app.middleware`,
    whose per-request task and streams cost more than the rest of a small request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except ClientDisconnect:
            return  # the client went away before its request was read: no one to answer
        except Exception as error:
            route = getattr(scope.get("route"), "path", "unmatched route")
            outage = database_unavailable(error)
            log.error(
                "%s %s on %s %s",
                "database unavailable:" if outage else "unexpected",
                type(error).__name__,
                scope["method"],
                route,
            )
            if started:  # the answer is under way: the server can only cut it off
                raise
            request = Request(scope)
            if outage:
                response = await _problem(
                    request,
                    503,
                    "Service unavailable",
                    "The database cannot be reached just now; please try again in a moment.",
                    ask_database=False,
                )
                response.headers["Retry-After"] = str(RETRY_AFTER_OUTAGE)
            else:
                response = await _problem(
                    request,
                    500,
                    "Something went wrong",
                    "The error has been logged without personal data; please try again.",
                )
            await response(scope, receive, send)
