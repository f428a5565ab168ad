"""The server publishes the active policy at /privacy, /privacy/cookies and /api/v1/policy."""

import hashlib
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.core.db import make_engine, release
from steward.core.settings import Settings
from steward.policy.loader import PolicyInvalid, load_policy
from steward.policy.models import PolicyVersion
from steward.web.app import create_app


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def test_privacy_page_shows_the_active_policy(client, settings):
    policy = load_policy(settings.policy)
    page = client.get("/privacy")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert f"<h1>Privacy policy of {policy.controller.trading_name}</h1>" in page.text
    for category in policy.categories.values():
        assert category.name in page.text
    assert 'name="viewport"' in page.text
    assert '<link rel="stylesheet" href="/privacy/document.css">' in page.text
    assert "@media print" in client.get("/privacy/document.css").text  # printable


def test_cookie_page_lists_every_cookie(client, settings):
    policy = load_policy(settings.policy)
    page = client.get("/privacy/cookies")
    assert page.status_code == 200
    for group in policy.cookies.values():
        for cookie in group.cookies:
            assert cookie.name in page.text


def test_the_api_returns_the_policy_and_the_hash_of_its_exact_text(client, settings):
    body = client.get("/api/v1/policy").json()
    assert body["sha256"] == hashlib.sha256(settings.policy.read_bytes()).hexdigest()
    everything = load_policy(settings.policy).model_dump(mode="json")
    assert body["policy"] == {k: v for k, v in everything.items() if k != "watch"}  # X4
    assert (
        body["policy"]["categories"]["user.communications.call_recording"]["retention"]["period"]
        == "P3M"
    )


def test_the_openapi_schema_documents_the_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/policy" in paths
    assert "/privacy" not in paths


def test_unknown_api_addresses_answer_with_a_problem_document(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "There is nothing at this address.",
        "instance": "/api/v1/nothing-here",
    }


def test_unknown_pages_answer_with_a_page_not_a_trace(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text
    assert "Traceback" not in response.text


def test_starting_records_the_policy_version_once(settings):
    create_app(settings)
    create_app(settings)
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            digest = hashlib.sha256(settings.policy.read_bytes()).hexdigest()
            rows = connection.execute(
                select(PolicyVersion.version).where(PolicyVersion.sha256 == digest)
            ).all()
    finally:
        release(engine)
    assert rows == [("1.0",)]


def test_the_server_refuses_to_start_on_a_broken_policy(settings):
    settings.policy.write_text(settings.policy.read_text().replace("period: P2Y", "period: 2y"))
    with pytest.raises(PolicyInvalid) as raised:
        create_app(settings)
    assert any("'2y' is not a period of time" in line for line in raised.value.lines())


def test_a_bug_answers_500_and_logs_neither_trace_nor_message(settings, caplog):
    app = create_app(settings)

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise ValueError("jane.doe@example.com")  # personal data in an exception's text

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "jane.doe" not in response.text
    assert "unexpected ValueError on GET /api/v1/boom" in caplog.text
    assert "jane.doe" not in caplog.text


def test_recorded_times_are_utc_on_every_backend(settings):
    from datetime import UTC

    from sqlalchemy.orm import Session

    create_app(settings)
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            recorded = session.scalars(select(PolicyVersion.recorded_at)).first()
    finally:
        release(engine)
    assert recorded is not None and recorded.tzinfo is UTC
