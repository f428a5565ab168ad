"""Every kind of page forbids framing and loads only Steward's own scripts and styles; over
HTTPS the browser is told to keep to it and the session cookies are Secure. The banner's
script and endpoints still answer another website's page."""

import re

import pytest
from fastapi.testclient import TestClient

from steward.core.db import release
from steward.web.app import create_app
from tests.desk.team import Team
from tests.people import customer, sign_in
from tests.web.page_helpers import sign_in_page

# What a Content-Security-Policy without 'unsafe-inline' would block in a page.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"text/plain\")|<style|\sstyle=|\son[a-z]+="
)


def assert_protected(answer, *, page: bool = True, https: bool = False) -> None:
    headers = answer.headers
    policy = dict(
        part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"]
    if https:
        assert headers["strict-transport-security"] == "max-age=31536000"
    else:
        assert "strict-transport-security" not in headers
    if page:
        assert answer.headers["content-type"].startswith("text/html")
        assert not INLINE.search(answer.text), INLINE.search(answer.text)


def test_every_kind_of_page_carries_the_security_headers(admin, mailbox, new_client):
    team = Team(admin, mailbox, new_client)
    shopper, _ = team.customer("ada")
    pages = {
        "sign-in": new_client().get("/sign-in"),
        "privacy policy": new_client().get("/privacy"),
        "error": new_client().get("/no/such/page"),
        "portal": shopper.get("/portal"),
        "desk": team["agent"].get("/desk"),
        "dpo": team["privacy_officer"].get("/dpo"),
    }
    waiting = new_client()  # signed in, MFA still to pass
    assert sign_in_page(waiting, "agent@example.com").headers["location"].startswith("/mfa")
    pages["mfa"] = waiting.get("/mfa")
    for kind, answer in pages.items():
        assert answer.status_code == (404 if kind == "error" else 200), kind
        assert_protected(answer)
    assert_protected(new_client().get("/api/v1/health"), page=False)
    assert_protected(new_client().get("/privacy/document.css"), page=False)


def test_a_page_without_inline_code_keeps_its_print_button(new_client):
    page = new_client().get("/privacy/cookies").text
    assert '<script src="/static/print.js" defer></script>' in page
    assert '<button type="button" data-print>Print</button>' in page
    assert "window.print()" in new_client().get("/static/print.js").text


@pytest.fixture
def banner_app(identity_settings):
    app = create_app(identity_settings.model_copy(update={"banner_origins": "https://shop.test"}))
    yield app
    release(app.state.sessions.kw["bind"])


def test_the_banner_still_serves_another_websites_page(banner_app):
    site = {"Origin": "https://shop.test"}
    with TestClient(banner_app) as visitor:
        script = visitor.get("/consent/banner.js", headers=site)
        assert script.status_code == 200
        assert script.headers["content-type"].startswith("text/javascript")
        assert script.headers["x-content-type-options"] == "nosniff"
        assert "cross-origin-resource-policy" not in script.headers
        config = visitor.get("/consent/config.json", headers=site)
        assert config.headers["access-control-allow-origin"] == "https://shop.test"
        preflight = visitor.options(
            "/api/v1/consent",
            headers={**site, "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://shop.test"
        demo = visitor.get("/consent/demo")
    # The demo page stands in for the business website: its own inline style and analytics
    # script are allowed by hash, nothing else inline, and it may not be framed either.
    policy = demo.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy
    assert re.search(r"script-src 'self' 'sha256-[A-Za-z0-9+/=]+';", policy)


def test_over_https_the_browser_is_told_to_keep_to_it_and_cookies_are_secure(app, ada):
    with TestClient(app, base_url="https://testserver") as browser:
        answer = sign_in(browser, ada)
        assert answer.status_code == 200
        assert answer.headers["strict-transport-security"] == "max-age=31536000"
        cookies = answer.headers.get_list("set-cookie")
        assert len(cookies) == 2 and all("; secure" in c.lower() for c in cookies)
        assert "strict-transport-security" in browser.get("/sign-in").headers


@pytest.fixture
def ada(mailbox, new_client):
    customer(new_client(), mailbox, "ada@example.com")
    return "ada@example.com"
