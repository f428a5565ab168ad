"""R2 by request: the officer applies the corrections, the email through its blind index."""

import pytest

from steward.identity.models import Person
from tests.people import sign_in
from tests.rights.work import db, verified_request


@pytest.mark.promise("R2")
def test_the_officer_corrects_name_and_email_and_the_person_signs_in_with_the_new_one(
    team, app, mailbox, new_client
):
    officer = team["privacy_officer"]
    _, ada_id = team.customer("ada")
    request_id, _ = verified_request(
        app,
        "rectification",
        ada_id,
        "ada@example.com",
        corrections={"name": "Ada King", "email": "ada.king@example.com"},
    )

    answer = officer.post(f"/api/v1/dpo/requests/{request_id}/fulfil", json={})

    assert answer.status_code == 200, answer.text
    assert answer.json()["changed"] == ["email", "name"]
    with db(app) as session:
        person = session.get(Person, ada_id)
        assert (person.name, person.email) == ("Ada King", "ada.king@example.com")
    assert sign_in(new_client(), "ada.king@example.com").status_code == 200
    assert "corrected" in mailbox.last_to("ada@example.com").get_payload(decode=True).decode()


def test_only_known_fields_can_be_corrected(team, app):
    officer = team["privacy_officer"]
    _, ada_id = team.customer("ada")
    request_id, _ = verified_request(app, "rectification", ada_id, "ada@example.com")
    answer = officer.post(
        f"/api/v1/dpo/requests/{request_id}/fulfil", json={"corrections": {"role": "admin"}}
    )
    assert answer.status_code == 422
