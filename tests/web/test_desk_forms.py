"""The desk's forms check what is typed with the API's own input models: a device
(`device_input.DeviceIn`, `DeviceChange`), an organisation's member
(`organisation_input.MemberIn`) and a quote (`billing_input.QuoteIn`). A value the model
refuses gets the form back, with the field named in the form's words and everything typed
still in it; the API refuses the same value."""

from tests.web.page_helpers import error_of
from tests.web.test_desk_pages import agent, billing_clerk, form, shopper
from tests.web.test_desk_pages_billing import lines
from tests.web.test_desk_pages_inventory import new_device, new_organisation

__all__ = ["agent", "billing_clerk", "shopper"]  # fixtures shared with the queue's tests

TOO_LONG_MODEL = "LaserJet " + "9" * 92  # 101 characters; a model has at most 100


def test_an_over_long_model_on_the_device_form_is_named_and_nothing_typed_is_lost(agent):
    organisation = new_organisation(agent)
    data = {
        "organisation": organisation,
        "type": "printer",
        "make": "Brother",
        "model": TOO_LONG_MODEL,
        "hostname": "printer-1.clinic.example.com",
        "configuration": "Duplex on; tray 2 holds letterhead.",
    }
    answer = form(agent, "/desk/devices/new", data)
    assert answer.status_code == 422
    assert error_of(answer.text) == "Check this field: Model (at most 100 characters)."
    assert f'value="{TOO_LONG_MODEL}"' in answer.text  # kept whole, not cut
    assert 'value="Brother"' in answer.text
    assert 'value="printer-1.clinic.example.com"' in answer.text
    assert "Duplex on; tray 2 holds letterhead." in answer.text
    assert f'<option value="{organisation}" selected>' in answer.text
    assert "No devices match." in agent.get("/desk/devices").text


def test_the_device_forms_and_the_api_refuse_the_same_model(agent, admin):
    organisation = new_organisation(agent)
    device = new_device(agent, organisation)
    body = {"type": "printer", "organisation_id": organisation, "model": TOO_LONG_MODEL}
    refused = admin.post("/api/v1/devices", json=body)
    assert refused.status_code == 422
    assert refused.json()["detail"] == "Check these fields: model."
    changed = admin.patch(f"/api/v1/devices/{device}", json={"model": TOO_LONG_MODEL})
    assert changed.status_code == 422

    edit = form(
        agent, f"/desk/devices/{device}/edit", {"type": "generator", "model": TOO_LONG_MODEL}
    )
    assert edit.status_code == 422
    assert error_of(edit.text) == "Check this field: Model (at most 100 characters)."
    assert f'value="{TOO_LONG_MODEL}"' in edit.text
    assert "XG8000" in agent.get(f"/desk/devices/{device}").text  # unchanged


def test_a_new_member_with_a_wrong_email_is_named_and_the_rest_kept(agent):
    organisation = new_organisation(agent)
    data = {
        "kind": "contact",
        "name": "Grace Hopper",
        "email": "grace at example.com",
        "job_title": "Head of IT",
    }
    answer = form(agent, f"/desk/organisations/{organisation}/members", data)
    assert answer.status_code == 422
    assert (
        error_of(answer.text)
        == "Check this field: Email address (an address like name@example.com)."
    )
    assert 'value="Grace Hopper"' in answer.text and 'value="Head of IT"' in answer.text
    assert 'value="grace at example.com"' in answer.text


def test_an_over_long_line_on_the_quote_form_is_refused_like_the_api(billing_clerk, shopper, admin):
    description = "Generator service, " * 27  # 513 characters; a line has at most 500
    data = {
        "email": "ada@example.com",
        "currency": "USD",
        **lines(("Oil filter", "2", "12.50"), (description, "1", "250.00")),
    }
    answer = form(billing_clerk, "/desk/billing/quotes/new", data)
    assert answer.status_code == 422
    assert error_of(answer.text) == (
        "Check this field: Description of line 2 (at most 500 characters)."
    )
    assert f'value="{description}"' in answer.text
    assert 'value="Oil filter"' in answer.text and 'value="12.50"' in answer.text
    assert 'value="ada@example.com"' in answer.text

    ada = shopper.get("/api/v1/me").json()["person_id"]
    body = {
        "person_id": ada,
        "currency": "USD",
        "lines": [
            {"description": "Oil filter", "quantity": 2, "unit_cents": 1250},
            {"description": description, "quantity": 1, "unit_cents": 25000},
        ],
    }
    refused = admin.post("/api/v1/quotes", json=body)
    assert refused.status_code == 422
    assert refused.json()["detail"] == "Check these fields: lines.1.description."
