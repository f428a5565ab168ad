"""Helpers for the intake, verification and deadline tests: a privacy officer who can sign in
again after the clock has moved on (sessions idle out after two hours), a frozen start, and
the CLI run as an operator runs it."""

import re
from datetime import UTC, datetime

from typer.testing import CliRunner

from tests.people import enrol_mfa, sign_in, staff, totp_code

OFFICER_EMAIL = "dpo@example.com"
START = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)  # a Monday


class Officer:
    """A signed-in privacy officer's browser that signs in again when told to."""

    def __init__(self, admin, mailbox, new_client) -> None:
        self.browser = new_client()
        staff(admin, mailbox, self.browser, OFFICER_EMAIL, "privacy_officer")
        self.secret, _ = enrol_mfa(self.browser)

    def again(self):
        """Sign in again (after the clock moved past the session's life) and pass MFA."""
        self.browser.cookies.clear()
        self.browser.headers.pop("X-CSRF-Token", None)
        assert sign_in(self.browser, OFFICER_EMAIL).status_code == 200
        code = totp_code(self.secret)
        answer = self.browser.post("/api/v1/auth/mfa", json={"code": code})
        assert answer.status_code == 200, answer.text
        return self.browser

    def get(self, *args, **kwargs):
        return self.browser.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        return self.browser.post(*args, **kwargs)


def steward(settings, *args: str, input: bytes | None = None):
    """Run `steward ARGS` in-process with the test's settings (and `input` on its standard
    input); returns typer's result."""
    from steward.cli import app
    from steward.core.settings import get_settings

    env = {
        "STEWARD_DATABASE_URL": settings.database_url,
        "STEWARD_POLICY": str(settings.policy),
        "STEWARD_KEY_FILE": str(settings.key_file),
        "STEWARD_FILES_DIR": str(settings.files_dir),
        "STEWARD_BACKUP_DIR": str(settings.backup_dir),
        "STEWARD_SMTP_URL": settings.smtp_url,
        "STEWARD_PUBLIC_URL": settings.public_url,
    }
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args), input=input, env=env)
    finally:
        get_settings.cache_clear()


def body_of(message) -> str:
    return message.get_payload(decode=True).decode()


def same_shape(text: str) -> str:
    """A mail body with its reference, code and dates blanked, to compare two mails' shape."""
    text = re.sub(r"PR-[A-Z0-9]{4}-[A-Z0-9]{4}", "PR-REF", text)
    text = re.sub(r"\d", "0", text)
    return re.sub(
        r"(January|February|March|April|May|June|July|August|September|October|November|December)",
        "MONTH",
        text,
    )
