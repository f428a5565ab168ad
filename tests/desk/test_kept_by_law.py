"""What the law keeps stays usable for that law (issue 16, point 6), and a refusal by the
policy reads in plain words while the audit trail keeps it precisely (point 12).

After an erasure, an invoice kept for the tax authority is read by billing under the purpose
the policy names for keeping it (operations.legal_compliance in the default example, which
billing, the owner (admin) and the privacy officer may use), every read audited under it; any
other purpose stays refused, and so does a role that purpose does not allow (an agent)."""

from datetime import timedelta

import pytest

from steward.core import clock
from steward.rights import erasure
from tests.rights.work import fulfil, verified_request
from tests.web.page_helpers import post_form

LEGAL = "operations.legal_compliance"


def _invoice(team, person_id: str) -> str:
    made = team["billing"].post(
        "/api/v1/invoices",
        json={
            "person_id": person_id,
            "currency": "USD",
            "lines": [
                {"description": "Annual generator service", "quantity": 1, "unit_cents": 45000}
            ],
            "billing_address": "1 Main St, Houston",
        },
    )
    assert made.status_code == 201, made.text
    return made.json()["id"]


def _erase(team, app, person_id: str, email: str) -> None:
    request_id, _ = verified_request(app, "erasure", person_id, email)
    officer = team["privacy_officer"]
    fulfilled = fulfil(officer, request_id)
    assert fulfilled.status_code == 200, fulfilled.text
    with clock.frozen_at(clock.now() + timedelta(days=8)):
        assert erasure.run_due(app.state.runtime) == 1


def _entries(audit_rows, person_id: str, purpose: str) -> list[dict]:
    return [r for r in audit_rows() if r["person_id"] == person_id and r["purpose"] == purpose]


@pytest.fixture
def erased_invoice(team, app):
    _, ada_id = team.customer("ada")
    invoice_id = _invoice(team, ada_id)
    page = team["billing"].get(f"/desk/billing/invoices/{invoice_id}")
    assert page.status_code == 200 and "Kept for" not in page.text  # not erased: as ever
    _erase(team, app, ada_id, "ada@example.com")
    return ada_id, invoice_id


@pytest.mark.parametrize("role", ["billing", "admin"])
def test_billing_and_admin_read_a_kept_invoice_under_the_purpose_the_law_keeps_it_for(
    team, erased_invoice, audit_rows, role
):
    ada_id, invoice_id = erased_invoice
    billing = team.admin if role == "admin" else team["billing"]

    page = billing.get(f"/desk/billing/invoices/{invoice_id}")

    assert page.status_code == 200, page.text
    assert "Kept for 26 U.S.C. § 6001 until " in page.text
    assert "shown for that purpose only" in page.text
    assert "Annual generator service" in page.text and "1 Main St, Houston" in page.text
    reads = _entries(audit_rows, ada_id, LEGAL)
    assert reads and reads[-1]["outcome"] == "allowed" and reads[-1]["actor_role"] == role
    assert "user.financial.invoice" in reads[-1]["categories"]

    api = billing.get(f"/api/v1/invoices/{invoice_id}")
    assert api.status_code == 200, api.text
    assert api.json()["kept_for_law"].startswith("Kept for 26 U.S.C. § 6001 until ")
    assert api.json()["lines"][0]["description"] == "Annual generator service"
    assert len(_entries(audit_rows, ada_id, LEGAL)) == len(reads) + 1


def test_other_purposes_and_other_roles_stay_refused_in_plain_words_and_audited(
    team, erased_invoice, audit_rows
):
    ada_id, invoice_id = erased_invoice

    voided = post_form(team["billing"], f"/desk/billing/invoices/{invoice_id}/void", {})
    agent = team["agent"].get(f"/api/v1/invoices/{invoice_id}")

    assert voided.status_code == 200  # back on the invoice, which says why
    assert "asked us to restrict the use of their data" in voided.text
    assert "Void the invoice" in voided.text  # still issued: nothing changed
    refused = _entries(audit_rows, ada_id, "essential.service.billing")
    assert refused[-1]["outcome"] == "refused" and refused[-1]["action"] == "refused"
    assert agent.status_code == 403
    assert "Annual generator service" not in agent.text
    for text in (voided.text, agent.text):
        assert "operations." not in text and "user.financial" not in text
        assert "essential.service" not in text
