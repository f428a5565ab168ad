"""Helpers for page tests: post HTML forms as a browser without JavaScript does."""

import html
import re

from fastapi.testclient import TestClient

from tests.people import PASSWORD, Mailbox, totp_code


def csrf(client: TestClient) -> str:
    """The token the pages put in every form's hidden csrf_token field."""
    return client.cookies.get("steward_csrf") or ""


def hidden_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert match, "the form has no csrf_token field"
    return match.group(1)


def error_of(page: str) -> str:
    """The error a page shows beside its form, as the person reads it."""
    match = re.search(r'<div class="alert error" role="alert">(.*?)</div>', page, re.DOTALL)
    assert match, "the page shows no error"
    return html.unescape(match.group(1))


def post_form(client: TestClient, path: str, data: dict[str, str], **kwargs):
    """Post a form with the CSRF token a page of this client would carry."""
    return client.post(path, data={"csrf_token": csrf(client), **data}, **kwargs)


def signed_out(client: TestClient) -> None:
    """Forget the session, as a fresh browser would (the API helpers set a CSRF header)."""
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)


def register_page(client: TestClient, email: str, **fields: str):
    data = {
        "name": "Ada Lovelace",
        "email": email,
        "password": PASSWORD,
        "birth_date": "1990-02-03",
        **fields,
    }
    return client.post("/register", data=data, follow_redirects=False)


def sign_in_page(client: TestClient, email: str, password: str = PASSWORD, next_: str = ""):
    data = {"email": email, "password": password, "next": next_}
    return client.post("/sign-in", data=data, follow_redirects=False)


def verified_customer(client: TestClient, mailbox: Mailbox, email: str) -> None:
    """Register, confirm and sign in through the pages."""
    assert register_page(client, email).status_code == 303
    token = mailbox.token_in_last(email, "/verify-email")
    assert client.post("/verify-email", data={"token": token}).status_code == 200
    assert sign_in_page(client, email).headers["location"] == "/portal"


def pass_mfa_page(client: TestClient, secret: str) -> None:
    code = totp_code(secret)
    answer = post_form(client, "/mfa", {"code": code}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
