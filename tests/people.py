"""Fixtures for people and accounts: a real SMTP server catching mail, an HTTP client, and
helpers that register, verify, sign in and pass MFA through the API as a user would."""

import os
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

import pyotp
import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import text

from steward.core import clock
from steward.core.db import make_engine, release
from steward.core.settings import Settings
from steward.web.app import create_app

PASSWORD = "correct horse battery staple 42"


@dataclass
class Mailbox:
    """Every message the SMTP server received, oldest first."""

    messages: list[Message] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server, session, envelope):  # the name aiosmtpd calls
        message = message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    def last_to(self, address: str) -> Message:
        found = self.to(address)
        assert found, f"no mail to {address}"
        return found[-1]

    def token_in_last(self, address: str, path: str) -> str:
        body = self.last_to(address).get_payload(decode=True).decode()
        match = re.search(re.escape(path) + r"\?token=([A-Za-z0-9_\-]+)", body)
        assert match, f"no {path} link in the last mail to {address}"
        return match.group(1)


def process_environment(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a `steward` process run under these settings: this one's, less any
    STEWARD_ variable of its own, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")}
    env.update(
        STEWARD_DATABASE_URL=settings.database_url,
        STEWARD_POLICY=str(settings.policy),
        STEWARD_KEY_FILE=str(settings.key_file),
        STEWARD_FILES_DIR=str(settings.files_dir),
        STEWARD_BACKUP_DIR=str(settings.backup_dir),
        STEWARD_SMTP_URL=settings.smtp_url,
        **extra,
    )
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def identity_settings(settings: Settings, mailbox: Mailbox) -> Settings:
    return settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{mailbox.port}"})


@pytest.fixture
def app(identity_settings: Settings):
    """The app; its engine is disposed afterwards even when no client ran its lifespan."""
    app = create_app(identity_settings)
    yield app
    release(app.state.sessions.kw["bind"])


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def new_client(app):
    """Another browser on the same server (its own cookie jar)."""
    opened: list[TestClient] = []

    def make() -> TestClient:
        browser = TestClient(app)
        opened.append(browser)
        return browser

    yield make
    for browser in opened:
        browser.close()


@pytest.fixture
def audit_rows(identity_settings: Settings):
    """The audit trail as dicts, oldest first."""

    def read() -> list[dict]:
        engine = make_engine(identity_settings.database_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(text("SELECT * FROM audit_entries ORDER BY id"))
                return [dict(r._mapping) for r in rows]
        finally:
            release(engine)

    return read


def register(client: TestClient, email: str, password: str = PASSWORD, **extra):
    return client.post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": password,
            "name": "Ada Lovelace",
            "birth_date": "1990-02-03",
            **extra,
        },
    )


def verify(client: TestClient, mailbox: Mailbox, email: str):
    token = mailbox.token_in_last(email, "/verify-email")
    return client.post("/api/v1/auth/verify-email", json={"token": token})


def sign_in(client: TestClient, email: str, password: str = PASSWORD):
    response = client.post("/api/v1/auth/sign-in", json={"email": email, "password": password})
    if response.status_code == 200:
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return response


def customer(client: TestClient, mailbox: Mailbox, email: str) -> dict:
    """A verified, signed-in customer; returns the sign-in answer."""
    assert register(client, email).status_code == 202
    assert verify(client, mailbox, email).status_code == 200
    response = sign_in(client, email)
    assert response.status_code == 200, response.text
    return response.json()


_LAST_STEP: dict[str, int] = {}


def totp_code(secret: str) -> str:
    """A code not used yet: each is taken once (RFC 6238), so a second sign-in within a
    30-second window takes the next window's code, which the server accepts early."""
    totp = pyotp.TOTP(secret)
    now = totp.timecode(clock.now())
    step = max(now, _LAST_STEP.get(secret, now - 1) + 1)
    assert step <= now + 1, "more than two codes in one window: move the clock on"
    _LAST_STEP[secret] = step
    return totp.generate_otp(step)


def enrol_mfa(client: TestClient) -> tuple[str, list[str]]:
    """Enrol and confirm MFA for the signed-in account; returns the secret and recovery codes."""
    secret = client.post("/api/v1/auth/mfa/enrol").json()["secret"]
    code = totp_code(secret)
    answer = client.post("/api/v1/auth/mfa/verify", json={"code": code})
    assert answer.status_code == 200, answer.text
    return secret, answer.json()["recovery_codes"]


@pytest.fixture
def create_admin(identity_settings: Settings):
    """Run `steward accounts create-admin EMAIL --name NAME`, typing the password twice."""
    from typer.testing import CliRunner

    from steward.cli import accounts
    from steward.core.settings import get_settings

    def run(email: str, password: str = PASSWORD, confirm: str | None = None):
        env = {
            "STEWARD_DATABASE_URL": identity_settings.database_url,
            "STEWARD_POLICY": str(identity_settings.policy),
            "STEWARD_KEY_FILE": str(identity_settings.key_file),
        }
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(
                accounts.app,
                ["create-admin", email, "--name", "Grace Hopper"],
                input=f"{password}\n{confirm or password}\n",
                env=env,
            )
        finally:
            get_settings.cache_clear()

    return run


@pytest.fixture
def admin(app, client) -> TestClient:
    """The client, signed in as an admin who has passed MFA. The admin is made as
    `steward accounts create-admin` makes one (tests/identity drive the command itself),
    through the app's engine: the command's own engine would compile every query again."""
    from steward.identity.bootstrap import create_admin

    with app.state.runtime.session() as session:
        create_admin(session, "admin@example.com", "Grace Hopper", PASSWORD)
    assert sign_in(client, "admin@example.com").json()["next"] == "mfa_enrol"
    enrol_mfa(client)
    return client


def staff(admin: TestClient, mailbox: Mailbox, browser: TestClient, email: str, role: str):
    """A staff account created by the admin, its password set by the emailed link, signed in
    in `browser` (MFA not yet enrolled)."""
    created = admin.post(
        "/api/v1/admin/accounts", json={"email": email, "name": "Staff Member", "role": role}
    )
    assert created.status_code == 201, created.text
    token = mailbox.token_in_last(email, "/set-password")
    answer = browser.post("/api/v1/auth/set-password", json={"token": token, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    assert sign_in(browser, email).status_code == 200
    return created.json()
