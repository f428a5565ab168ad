"""The banner on the business's own website (C1): a page on another origin embeds banner.js
from Steward; only the banner's endpoints answer that origin's cross-origin calls, never
with credentials, and no other origin or endpoint is opened."""

import pytest
from fastapi.testclient import TestClient

from steward.core.db import release
from steward.web.app import create_app
from tests.consent.kit import TEXT, VERSION, new_browser_id

SITE = "https://www.houstongenerator.example"


@pytest.fixture
def embedded(identity_settings):
    app = create_app(identity_settings.model_copy(update={"banner_origins": SITE}))
    with TestClient(app) as client:
        yield client
    release(app.state.sessions.kw["bind"])


def preflight(client, path: str, origin: str):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )


@pytest.mark.promise("C1")
def test_the_business_website_may_call_the_banner_endpoints(embedded):
    for path in ("/api/v1/consent", "/api/v1/events"):
        answer = preflight(embedded, path, SITE)
        assert answer.status_code == 200, path
        assert answer.headers["access-control-allow-origin"] == SITE
        assert "access-control-allow-credentials" not in answer.headers
    config = embedded.get("/consent/config.json", headers={"Origin": SITE})
    assert config.headers["access-control-allow-origin"] == SITE
    body = {
        "browser_id": new_browser_id(),
        "choices": {"analytics": False},
        "policy_version": VERSION,
        "text_sha256": TEXT,
    }
    posted = embedded.post("/api/v1/consent", json=body, headers={"Origin": SITE})
    assert posted.status_code == 200, posted.text
    assert posted.headers["access-control-allow-origin"] == SITE


@pytest.mark.promise("C1")
def test_no_other_origin_and_no_other_endpoint_is_opened(embedded, client):
    other = preflight(embedded, "/api/v1/consent", "https://evil.example")
    assert "access-control-allow-origin" not in other.headers
    me = preflight(embedded, "/api/v1/me", SITE)
    assert "access-control-allow-origin" not in me.headers
    unset = client.get("/consent/config.json", headers={"Origin": SITE})  # no origins set
    assert "access-control-allow-origin" not in unset.headers
