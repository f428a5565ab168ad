"""Sessions: CSRF protection, signing out here and everywhere."""

from tests.people import customer, sign_in


def test_an_unsafe_request_without_the_csrf_header_is_refused(client, mailbox):
    customer(client, mailbox, "ada@example.com")
    token = client.headers.pop("X-CSRF-Token")
    refused = client.patch("/api/v1/me", json={"name": "Ada King"})
    assert refused.status_code == 403
    assert "X-CSRF-Token" in refused.json()["detail"]
    assert client.cookies.get("steward_csrf") == token
    client.headers["X-CSRF-Token"] = token
    assert client.patch("/api/v1/me", json={"name": "Ada King"}).status_code == 200


def test_signing_out_ends_the_session(client, mailbox):
    customer(client, mailbox, "ada@example.com")
    assert client.post("/api/v1/auth/sign-out").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_signing_out_everywhere_ends_the_other_sessions(client, mailbox, new_client):
    customer(client, mailbox, "ada@example.com")
    laptop = new_client()
    assert sign_in(laptop, "ada@example.com").status_code == 200
    assert laptop.get("/api/v1/me").status_code == 200
    assert client.post("/api/v1/auth/sign-out-everywhere").status_code == 200
    assert laptop.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 401
