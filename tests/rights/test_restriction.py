"""R4: a verified restriction blocks everything but storage and the law, until lifted."""

import pytest

from steward.identity.models import Person
from tests.rights.work import apply_effects, db, verified_request


@pytest.mark.promise("R4")
def test_a_restriction_blocks_use_until_the_officer_lifts_it(team, app, identity_settings, mailbox):
    officer = team["privacy_officer"]
    ada, ada_id = team.customer("ada")
    assert ada.get("/api/v1/me/preferences").status_code == 200
    request_id, _reference = verified_request(app, "restriction", ada_id, "ada@example.com")

    apply_effects(app, identity_settings, request_id)

    assert ada.get("/api/v1/me/preferences").status_code == 403
    confirmed = officer.post(f"/api/v1/dpo/requests/{request_id}/fulfil", json={})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["outcome"] == "fulfilled"
    assert "restricted" in mailbox.last_to("ada@example.com").get_payload(decode=True).decode()
    assert ada.get("/api/v1/me/preferences").status_code == 403

    lifted = officer.post(f"/api/v1/dpo/people/{ada_id}/lift-restriction")
    assert lifted.status_code == 200, lifted.text
    assert "lifted" in mailbox.last_to("ada@example.com")["Subject"]
    assert ada.get("/api/v1/me/preferences").status_code == 200
    with db(app) as session:
        assert session.get(Person, ada_id).restricted_at is None


def test_lifting_needs_a_restriction_and_the_officer(team):
    officer = team["privacy_officer"]
    ada, ada_id = team.customer("ada")
    assert officer.post(f"/api/v1/dpo/people/{ada_id}/lift-restriction").status_code == 409
    assert ada.post(f"/api/v1/dpo/people/{ada_id}/lift-restriction").status_code == 403
