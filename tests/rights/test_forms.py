"""The rights forms check what is typed with the API's own input models: the privacy
center's request form (`intake.RequestIn`), the officer's log form (`logged.LoggedIn`) and
their decisions (`deadlines.AnswerIn`). A value the model refuses gets the form back, with
the field named in the form's words and everything typed still in it; the API refuses the
same value, and both take the longest value the model allows."""

from steward.core import clock
from tests.rights.channels_kit import log_on_page
from tests.rights.test_channels import it_shop
from tests.rights.work import verified_request
from tests.web.page_helpers import error_of, post_form

__all__ = ["it_shop"]  # the policy that takes requests by phone: a fixture

TOO_LONG_NAME = "Ada " + "L" * 197  # 201 characters; a name has at most 200


def log_by_api(officer, **fields: str):
    body = {
        "kind": "inquiry",
        "channel": "phone",
        "received": clock.now().date().isoformat(),
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "details": "Who do you share my data with?",
        **fields,
    }
    return officer.post("/api/v1/dpo/requests", json=body)


def test_an_over_long_name_on_the_log_form_is_named_and_nothing_typed_is_lost(it_shop, team):
    officer = team["privacy_officer"]
    answer = log_on_page(officer, name=TOO_LONG_NAME)
    assert answer.status_code == 422
    assert error_of(answer.text) == "Check this field: Their name (at most 200 characters)."
    assert f'value="{TOO_LONG_NAME}"' in answer.text  # kept whole, not cut to 200
    assert 'value="ada@example.com"' in answer.text
    assert '<option value="phone" selected>' in answer.text
    assert "Called back on the number we hold." in answer.text
    assert "Who do you share my data with?" in answer.text
    assert officer.get("/api/v1/dpo/requests").json()["items"] == []  # nothing logged


def test_the_log_form_and_the_api_refuse_and_take_the_same_names(it_shop, team):
    officer = team["privacy_officer"]
    refused = log_by_api(officer, name=TOO_LONG_NAME)
    assert refused.status_code == 422
    assert refused.json()["detail"] == "Check these fields: name."
    assert log_on_page(officer, name=TOO_LONG_NAME).status_code == 422

    longest = "Ada " + "L" * 196
    assert log_by_api(officer, name=longest).status_code == 201
    assert log_on_page(officer, name=longest).status_code == 303
    items = officer.get("/api/v1/dpo/requests").json()["items"]
    names = {officer.get(f"/api/v1/dpo/requests/{i['id']}").json()["name"] for i in items}
    assert names == {longest}  # the page kept all 200 characters, as the API did


def test_a_wrong_date_on_the_log_form_is_named(it_shop, team):
    answer = log_on_page(team["privacy_officer"], received="last Tuesday")
    assert answer.status_code == 422
    assert error_of(answer.text).startswith("Check this field: Date received (")
    assert 'value="last Tuesday"' in answer.text


def test_an_over_long_name_on_the_privacy_center_form_is_refused_like_the_api(client):
    typed = {"kind": "access", "email": "sam@example.com", "details": "Everything you hold."}
    page = post_form(client, "/privacy/center/new", {**typed, "name": TOO_LONG_NAME})
    assert page.status_code == 422
    assert error_of(page.text) == "Check this field: Your name (at most 200 characters)."
    assert f'value="{TOO_LONG_NAME}"' in page.text
    assert 'value="sam@example.com"' in page.text and "Everything you hold." in page.text

    api = client.post("/api/v1/rights", json={**typed, "name": TOO_LONG_NAME})
    assert api.status_code == 422
    assert api.json()["detail"] == "Check these fields: name."


def test_an_over_long_answer_is_refused_and_kept_in_the_form(app, team):
    officer = team["privacy_officer"]
    request_id, _ = verified_request(app, "inquiry", None, "sam@example.com")
    text = "We share it with our processors. " * 700  # 23,100 characters; at most 20,000
    answer = post_form(officer, f"/dpo/requests/{request_id}/answer", {"text": text})
    assert answer.status_code == 422
    assert error_of(answer.text) == "Check this field: Answer (at most 20000 characters)."
    assert text in answer.text  # in the answer's textarea, to shorten and send again
    api = officer.post(f"/api/v1/dpo/requests/{request_id}/answer", json={"text": text})
    assert api.status_code == 422
    assert officer.get(f"/api/v1/dpo/requests/{request_id}").json()["answer"] is None
