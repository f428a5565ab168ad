"""R6 objection and consent withdrawal, R10 opt-out and limit: done as soon as verified."""

import pytest

from steward.identity.models import Person
from steward.rights.models import RightsRequest
from tests.rights.work import apply_effects, db, verified_request


def _marketing_on(browser) -> None:
    answer = browser.put("/api/v1/me/preferences", json={"marketing": True})
    assert answer.status_code == 200, answer.text


@pytest.mark.promise("R6")
def test_an_objection_to_marketing_switches_it_off_at_once(team, app, identity_settings, mailbox):
    ada, ada_id = team.customer("ada")
    _marketing_on(ada)
    request_id, _ = verified_request(
        app, "objection", ada_id, "ada@example.com", purposes=["marketing.communications"]
    )

    apply_effects(app, identity_settings, request_id)

    assert ada.get("/api/v1/me/preferences").json()["marketing"] is False
    with db(app) as session:
        request = session.get(RightsRequest, request_id)
        assert (request.status, request.outcome) == ("done", "fulfilled")
        assert session.get(Person, ada_id).objected_at is None  # marketing only
    assert "stopped" in mailbox.last_to("ada@example.com").get_payload(decode=True).decode()


@pytest.mark.promise("R6")
def test_a_general_objection_stops_legitimate_interests(team, app, identity_settings):
    _, ada_id = team.customer("ada")
    request_id, _ = verified_request(app, "objection", ada_id, "ada@example.com")
    apply_effects(app, identity_settings, request_id)
    with db(app) as session:
        assert session.get(Person, ada_id).objected_at is not None


@pytest.mark.promise("R6")
def test_withdrawing_consent_to_marketing_stops_it(team, app, identity_settings):
    ada, ada_id = team.customer("ada")
    _marketing_on(ada)
    request_id, _ = verified_request(
        app, "consent_withdrawal", ada_id, "ada@example.com", purposes=["marketing"]
    )
    apply_effects(app, identity_settings, request_id)
    assert ada.get("/api/v1/me/preferences").json()["marketing"] is False


@pytest.mark.promise("R10")
@pytest.mark.parametrize(
    ("kind", "column"),
    [("ccpa_opt_out", "sale_opt_out_at"), ("ccpa_limit", "sensitive_limited_at")],
)
def test_californian_opt_out_and_limit_are_recorded_and_answered(
    team, app, identity_settings, mailbox, kind, column
):
    ada, ada_id = team.customer("ada")
    request_id, reference = verified_request(app, kind, ada_id, "ada@example.com")
    apply_effects(app, identity_settings, request_id)
    with db(app) as session:
        assert getattr(session.get(Person, ada_id), column) is not None
        assert session.get(RightsRequest, request_id).status == "done"
    assert reference in mailbox.last_to("ada@example.com")["Subject"]
    assert ada.get("/api/v1/me/preferences").status_code == 200  # equal service
