"""T1, D6: each seed's retention periods, proven by moving the clock across them and running
`steward retention run` as an operator does: a day before its period a category is still
there, a day after it is gone (deleted, or emptied where the policy anonymises)."""

from datetime import timedelta

import pytest

from steward.consent.models import ConsentEvent, UsageEvent
from steward.core import clock
from steward.desk.models import (
    Attachment,
    Call,
    CallRecording,
    Invoice,
    Message,
    Payment,
    Quote,
    Telemetry,
    Ticket,
    WarrantyClaim,
)
from steward.policy.durations import Duration
from steward.rights.models import RequestFile, RightsRequest
from steward.vault import files
from tests.retention.conftest import START, filled, row, sweep
from tests.rights.work import db, verified_request

DAY = timedelta(days=1)


def after(period: str):
    return Duration.parse(period).after(START)


@pytest.mark.promise("T1", "D6")
def test_call_recordings_go_after_three_months_and_the_call_log_stays(team, app, identity_settings):
    with clock.frozen_at(START):
        _, ada = team.customer("ada")
        made = filled(app, ada)
    with clock.frozen_at(after("P3M") - DAY):
        sweep(identity_settings)
        assert row(app, CallRecording, made["call_recordings"]) is not None
    with clock.frozen_at(after("P3M") + DAY):
        printed = sweep(identity_settings)
        assert "user.communications.call_recording" in printed
        assert row(app, CallRecording, made["call_recordings"]) is None
        call = row(app, Call, made["calls"])
        assert call is not None and call.notes == "cov:calls.notes"  # communications: 3 years


@pytest.mark.promise("T1")
def test_usage_goes_after_two_years_its_ip_address_after_one(team, app, identity_settings):
    with clock.frozen_at(START):
        _, ada = team.customer("ada")
        made = filled(app, ada)
    with clock.frozen_at(after("P1Y") - DAY):
        sweep(identity_settings)
        assert row(app, UsageEvent, made["usage_events"]).ip_prefix is not None
    with clock.frozen_at(after("P1Y") + DAY):
        sweep(identity_settings)
        event = row(app, UsageEvent, made["usage_events"])
        assert event.ip_prefix is None  # user.device: a year
        assert event.path is not None  # user.behavior: two years
    with clock.frozen_at(after("P2Y") - DAY):
        sweep(identity_settings)
        assert row(app, UsageEvent, made["usage_events"]) is not None
    with clock.frozen_at(after("P2Y") + DAY):
        sweep(identity_settings)
        assert row(app, UsageEvent, made["usage_events"]) is None


@pytest.mark.promise("T1")
def test_communications_go_three_years_after_the_last_activity(team, app, identity_settings):
    with clock.frozen_at(START):
        _, ada = team.customer("ada")
        made = filled(app, ada)
    thread = [
        (Ticket, made["tickets"]),
        (Message, made["messages"]),
        (Attachment, made["attachments"]),
    ]
    with clock.frozen_at(after("P1Y")), db(app) as session:  # the ticket is active again
        session.get(Ticket, made["tickets"]).last_activity_at = clock.now()
        session.commit()
    with clock.frozen_at(after("P3Y") + DAY):
        sweep(identity_settings)
        assert all(row(app, model, key) is not None for model, key in thread)
        assert row(app, Call, made["calls"]) is None  # a call of its own: three years on
    with clock.frozen_at(after("P4Y") - DAY):
        sweep(identity_settings)
        assert all(row(app, model, key) is not None for model, key in thread)
    with clock.frozen_at(after("P4Y") + DAY):
        printed = sweep(identity_settings)
        assert "user.communications" in printed
        assert all(row(app, model, key) is None for model, key in thread)


@pytest.mark.promise("T1")
def test_transactions_are_anonymised_after_seven_years_keeping_the_totals(
    team, app, identity_settings
):
    with clock.frozen_at(START):
        _, ada = team.customer("ada")
        made = filled(app, ada)
        amount = row(app, Payment, made["payments"]).amount_cents
    with clock.frozen_at(after("P7Y") - DAY):
        sweep(identity_settings)
        assert row(app, Invoice, made["invoices"]).billing_address is not None
        assert row(app, Payment, made["payments"]).token is not None
    with clock.frozen_at(after("P7Y") + DAY):
        printed = sweep(identity_settings)
        assert "user.financial" in printed and "anonymise" in printed
        invoice, payment = row(app, Invoice, made["invoices"]), row(app, Payment, made["payments"])
        assert invoice is not None and payment is not None  # the records stay
        assert invoice.billing_address is None and invoice.lines is None
        assert payment.token is None and payment.card_last4 is None
        assert payment.amount_cents == amount  # what is no longer personal is kept
        assert row(app, Quote, made["quotes"]).lines is None
        assert row(app, WarrantyClaim, made["warranty_claims"]).description is None
        again = sweep(identity_settings)
        assert "user.financial" not in again  # nothing left to anonymise


@pytest.mark.promise("T1")
def test_technical_logs_go_after_a_year(compustores, team, app, identity_settings):
    with clock.frozen_at(START):
        _, ada = team.customer("ada")
        made = filled(app, ada)
    with clock.frozen_at(after("P1Y") - DAY):
        sweep(identity_settings)
        assert row(app, Telemetry, made["telemetry"]).diagnostic == "cov:telemetry.diagnostic"
    with clock.frozen_at(after("P1Y") + DAY):
        printed = sweep(identity_settings)
        assert "system.logs" in printed
        assert row(app, Telemetry, made["telemetry"]) is None


@pytest.mark.promise("T1", "C2")
def test_a_consent_record_outlives_its_ip_address(team, app, identity_settings):
    with clock.frozen_at(START):
        _, ada = team.customer("ada")
        made = filled(app, ada)
    with clock.frozen_at(after("P1Y") + DAY):
        sweep(identity_settings)
        event = row(app, ConsentEvent, made["consent_events"])
        assert event is not None and event.ip_prefix is None
        assert event.text_sha256 and event.choice  # what was agreed to, and when, stays


def test_exports_go_when_they_expire_and_request_records_after_records_kept(
    team, app, identity_settings
):
    with clock.frozen_at(START):
        _, ada = team.customer("ada")
        request_id, _ = verified_request(app, "access", ada, "ada@example.com")
        with db(app) as session:
            request = session.get_one(RightsRequest, request_id)
            request.status, request.completed_at = "done", clock.now()
            export = RequestFile(
                request_id=request_id,
                kind="export",
                content_type="application/zip",
                size=5,
                created_at=clock.now(),
                expires_at=after("P7D"),  # requests.download_expiry
            )
            session.add(export)
            session.flush()
            files.store(
                session, identity_settings.files_dir, "rights", export.id, request_id, b"zip"
            )
            session.commit()
    with clock.frozen_at(after("P7D") + DAY):
        assert "requests.download_expiry" in sweep(identity_settings)
        assert row(app, RequestFile, export.id) is None
        assert export.id not in files.stored_ids(identity_settings.files_dir, "rights", clock.now())
        assert row(app, RightsRequest, request_id) is not None
    with clock.frozen_at(after("P24M") - DAY):  # requests.records_kept
        sweep(identity_settings)
        assert row(app, RightsRequest, request_id) is not None
    with clock.frozen_at(after("P24M") + DAY):
        assert "requests.records_kept" in sweep(identity_settings)
        assert row(app, RightsRequest, request_id) is None
