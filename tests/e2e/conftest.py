"""Browser tests: a real server in a thread, Debian's headless Chromium driven by Playwright.

They run on SQLite only: each test starts its own server and browser, and a PostgreSQL run
would double the slowest tests of the suite while the page and service tests already cover
both databases. Without /usr/bin/chromium they are skipped with a reason, except under
CI=true, where they must run (`make test` installs it).

Fixtures: `live_server` (base URL), `live_settings`, `browser_page` (a Playwright page whose
screenshot is saved to test-artifacts/ after each test, and which fails the test when the
Content-Security-Policy refused anything in it), `make_staff` (a staff account with
MFA, made through the API), `sign_in_as` (signs the page in through the sign-in pages), and
`make_customer`, and `mailbox`, `admin`, `new_client` from tests/people.py, which share the server's database.
"""

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from steward.core.settings import Settings
from steward.web.app import create_app
from tests.people import PASSWORD, customer, enrol_mfa, staff, totp_code

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def _need_chromium() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing: run `make chromium`")
        pytest.skip("Chromium is not installed at /usr/bin/chromium (`make chromium`)")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only for browser tests (see the module docstring)."""
    return f"sqlite:///{tmp_path / 'steward.db'}"


@pytest.fixture
def live_socket() -> Iterator[socket.socket]:
    """The live server's socket, bound before anything learns its port: a port merely found
    free could be taken by another worker's server before this one binds it."""
    with socket.create_server(("127.0.0.1", 0)) as bound:
        yield bound


@pytest.fixture
def live_settings(identity_settings: Settings, live_socket: socket.socket) -> Settings:
    port = live_socket.getsockname()[1]
    return identity_settings.model_copy(
        update={"public_url": f"http://127.0.0.1:{port}", "host": "127.0.0.1", "port": port}
    )


@pytest.fixture
def live_server(live_settings: Settings, live_socket: socket.socket) -> Iterator[str]:
    """The base URL of a real uvicorn server running the app in a background thread."""
    app = create_app(live_settings)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=live_settings.port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [live_socket]}, name="live-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    yield live_settings.public_url
    server.should_exit = True
    thread.join(timeout=10)


# Every page is watched for what its Content-Security-Policy refused: Chromium reports it as
# a console error and as a securitypolicyviolation event, which this script logs too.
CSP_WATCH = """document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " refused " + e.blockedURI +
    " at " + e.sourceFile + ":" + e.lineNumber + " " + e.sample);
});"""


def watch_csp(context, refused: list[str]) -> None:
    """Note in `refused` what the policy refuses in any page of the browser context."""
    context.add_init_script(CSP_WATCH)

    def on_console(message) -> None:
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "CSP" in text):
            refused.append(text)

    context.on("console", on_console)


def assert_nothing_refused(refused: list[str]) -> None:
    assert not refused, "the Content-Security-Policy refused: " + "; ".join(refused)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


def artifact_name(node_name: str, step: str = "") -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", node_name + (f"-{step}" if step else ""))
    return ARTIFACTS / f"{safe}.png"


@pytest.fixture
def browser_page(chromium, live_server: str, request: pytest.FixtureRequest):
    """A fresh browser context and page; its last screen is saved to test-artifacts/."""
    context = chromium.new_context(base_url=live_server, locale="en-GB")  # type: ignore[attr-defined]
    context.set_default_timeout(10_000)
    refused: list[str] = []
    watch_csp(context, refused)
    page = context.new_page()
    yield page
    try:
        page.screenshot(path=str(artifact_name(request.node.name)), full_page=True)
    finally:
        context.close()
    assert_nothing_refused(refused)


@pytest.fixture
def new_browser_page(chromium, live_server: str, request: pytest.FixtureRequest):
    """Another browser (its own cookies), e.g. a second customer; screenshots saved too."""
    opened = []
    refused: list[str] = []

    def make():
        context = chromium.new_context(base_url=live_server, locale="en-GB")  # type: ignore[attr-defined]
        context.set_default_timeout(10_000)
        opened.append(context)
        watch_csp(context, refused)
        return context.new_page()

    yield make
    for number, context in enumerate(opened, start=1):
        try:
            for page in context.pages:
                name = artifact_name(request.node.name, f"browser{number}")
                page.screenshot(path=str(name), full_page=True)
        finally:
            context.close()
    assert_nothing_refused(refused)


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[object, str], Path]:
    """Save a named step's screenshot: `screenshot(page, "after-reply")`."""

    def take(page: object, step: str) -> Path:
        path = artifact_name(request.node.name, step)
        page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        return path

    return take


@dataclass(frozen=True)
class Login:
    email: str
    password: str = PASSWORD
    totp_secret: str | None = None
    account_id: str | None = None
    api: TestClient | None = field(default=None, compare=False, repr=False)  # signed in, MFA


@pytest.fixture
def make_staff(admin: TestClient, mailbox, new_client, live_server: str):
    """Create a staff account (with MFA) through the API; returns its Login, whose `api` is a
    TestClient signed in as that member. The `admin` fixture's account (admin@example.com)
    is made as well."""

    def make(role: str = "agent", email: str | None = None) -> Login:
        email = email or f"{role}@example.com"
        browser = new_client()
        created = staff(admin, mailbox, browser, email, role)
        secret, _ = enrol_mfa(browser)
        return Login(email=email, totp_secret=secret, account_id=created.get("id"), api=browser)

    return make


@pytest.fixture
def make_customer(mailbox, new_client, live_server: str):
    """Register and confirm a customer through the API; returns its Login (`api` signed in)."""

    def make(email: str = "ada@example.com") -> Login:
        browser = new_client()
        answer = customer(browser, mailbox, email)
        return Login(email=email, account_id=answer["account_id"], api=browser)

    return make


def current_code(secret: str) -> str:
    return totp_code(secret)


def sign_in_through_pages(page, login: Login, next_path: str | None = None) -> None:
    """Sign in with the pages as a person would: email and password, then the MFA code."""
    page.goto("/sign-in" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Email").fill(login.email)
    page.get_by_label("Password").fill(login.password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if login.totp_secret and "/mfa" in page.url:
        page.get_by_label("Code").fill(current_code(login.totp_secret))
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()


@pytest.fixture
def sign_in_as() -> Callable[..., None]:
    """`sign_in_as(page, login)`: sign the page in through /sign-in (and /mfa)."""
    return sign_in_through_pages
