"""Telling recipients (S1, S2): a correction, erasure or restriction reaches each processor that
received the data, by signed webhook (a real HTTPS server in the test, its certificate from a
private CA trusted through STEWARD_OUTBOUND_CA_FILE) or by mail (the real SMTP test server);
a failure is retried with back-off; each delivery is recorded as a disclosure the person can
see."""

import base64
import datetime as dt
import http.server
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.db import make_sessionmaker
from steward.core.ids import new_id
from steward.core.settings import Settings
from steward.policy.service import read_active
from steward.rights import recipients, signing
from steward.rights.models import Disclosure, OutboxMessage, RequestEvent, RightsRequest
from steward.vault.service import Vault

START = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)


# A private CA and a certificate for 127.0.0.1, made for the test


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, server key) as PEM files."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Steward test CA"))
        .issuer_name(_name("Steward test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


# The processor's webhook: a real HTTPS server in a thread


@dataclass
class Webhook:
    """What the processor's server received; `answers` are the statuses it gives, in turn
    (200 once they run out)."""

    port: int = 0
    ca_file: Path = Path()
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/steward/notices"


@pytest.fixture
def webhook(tmp_path: Path) -> Iterator[Webhook]:
    ca_file, cert_file, key_file = make_certificates(tmp_path)
    hook = Webhook(ca_file=ca_file)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the name http.server calls
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hook.received.append((dict(self.headers), body))
            status = hook.answers.pop(0) if hook.answers else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    hook.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()


# A policy naming a processor with a webhook, and sessions as the services get them

CRM = {
    "name": "Example CRM Ltd",
    "service": "Customer records for the support team.",
    "categories": ["user.account"],
    "purposes": ["essential.service.support"],
    "location": "US",
    "transfer_safeguard": "scc",
    "contract_date": dt.date(2025, 1, 1),
    "vetted_date": dt.date(2026, 1, 1),
    "contact": "privacy@crm.example",
}


@pytest.fixture
def notices(identity_settings: Settings, webhook: Webhook, engine, keyring):
    """(settings trusting the webhook's CA, a function opening a session like a request's)."""
    data = yaml.safe_load(identity_settings.policy.read_text())
    data["processors"]["crm"] = {**CRM, "notify_url": webhook.url}
    data["processors"].pop("aws", None)  # hosting receives every category: one CRM is clearer
    identity_settings.policy.write_text(yaml.safe_dump(data, sort_keys=False))
    settings = identity_settings.model_copy(update={"outbound_ca_file": webhook.ca_file})
    policy = read_active(settings.policy).policy
    factory = make_sessionmaker(engine)
    vault = Vault(keyring)

    def open_session() -> Session:
        session = factory()
        vault.attach(session)
        session.info["policy"] = policy
        return session

    return settings, open_session


def a_request(session: Session, kind: str = "erasure") -> RightsRequest:
    request = RightsRequest(
        reference=f"PR-TEST-{new_id()[:4].upper()}",
        kind=kind,
        channel="privacy_center",
        status="open",
        received_at=clock.now(),
        due_at=clock.now() + dt.timedelta(days=30),
    )
    session.add(request)
    session.flush()
    return request


def queue(open_session, action: str, categories: list[str]) -> tuple[str, str, str]:
    """Queue notices for a new request about a new person: (request id, reference, person)."""
    person_id = new_id()
    with open_session() as session:
        request = a_request(session)
        recipients.notify(session, request, person_id, action, categories)
        session.commit()
        return request.id, request.reference, person_id


def steps(open_session, request_id: str) -> list[tuple[str, str | None]]:
    with open_session() as session:
        rows = session.scalars(
            select(RequestEvent).where(RequestEvent.request_id == request_id)
        ).all()
        return [(r.step, r.note) for r in rows]


def deliver(settings, open_session) -> recipients.Delivered:
    with open_session() as session:
        return recipients.deliver_due(session, settings)


@pytest.mark.promise("S1", "S2")
def test_an_erasure_notice_reaches_the_processor_webhook_signed_and_is_recorded(
    notices, webhook, keyring
):
    settings, open_session = notices
    with clock.frozen_at(START):
        request_id, reference, person_id = queue(
            open_session, "erasure", ["user.contact.email", "user.name"]
        )
        done = deliver(settings, open_session)

    assert done.delivered == 1 and done.failed == 0
    assert len(webhook.received) == 1
    headers, body = webhook.received[0]
    notice = json.loads(body)
    assert notice["reference"] == reference
    assert notice["action"] == "erasure"
    assert notice["person_id"] == person_id
    assert notice["categories"] == ["user.account"]  # what the CRM received, nothing else
    public = serialization.load_pem_public_key(signing.public_key_pem(keyring).encode())
    assert isinstance(public, Ed25519PublicKey)
    public.verify(base64.b64decode(headers[signing.HEADER]), body)  # raises if forged
    assert "Ada" not in body.decode() and "@" not in body.decode()  # an id, no contact data

    with open_session() as session:
        disclosures = session.scalars(
            select(Disclosure).where(Disclosure.person_id == person_id)
        ).all()
        seen = recipients.of_person(session, person_id)
    assert [(d.recipient, d.reason, d.request_id) for d in disclosures] == [
        ("crm", "processor_notice", request_id)
    ]
    assert [(v.recipient, v.categories, v.action, v.delivered) for v in seen] == [
        ("Example CRM Ltd", ["user.account"], "erasure", True)
    ]
    assert ("recipient_notified", "crm") in steps(open_session, request_id)


@pytest.mark.promise("S2")
def test_only_processors_that_received_the_categories_are_told(notices, webhook, mailbox):
    settings, open_session = notices
    with clock.frozen_at(START):
        request_id, _, _ = queue(open_session, "restriction", ["user.behavior"])
    with open_session() as session:
        queued = session.scalars(
            select(OutboxMessage.processor).where(OutboxMessage.request_id == request_id)
        ).all()
    assert queued == ["plausible"]  # only Plausible received user.behavior
    with clock.frozen_at(START):
        assert deliver(settings, open_session).delivered == 1
    assert webhook.received == []  # the CRM received no behaviour data
    assert [m["To"] for m in mailbox.messages] == ["privacy@plausible.io"]


@pytest.mark.promise("S1")
def test_a_processor_without_a_webhook_is_told_by_mail_at_its_contact(notices, mailbox):
    settings, open_session = notices
    with clock.frozen_at(START):
        _, reference, person_id = queue(open_session, "rectification", ["user.financial"])
        done = deliver(settings, open_session)
    assert done.delivered == 1
    notice = mailbox.last_to("privacy@stripe.com")  # Stripe: user.financial, mail only
    text = notice.get_payload(decode=True).decode()
    assert reference in notice["Subject"] and "corrected" in notice["Subject"]
    assert person_id in text and "user.financial" in text
    with open_session() as session:
        seen = recipients.of_person(session, person_id)
    assert [(v.recipient, v.delivered) for v in seen] == [("Stripe, Inc.", True)]


@pytest.mark.promise("S1")
def test_a_failed_webhook_is_retried_with_exponential_back_off(notices, webhook):
    settings, open_session = notices
    webhook.answers = [503, 500]
    with clock.frozen_at(START):
        _, _, person_id = queue(open_session, "erasure", ["user.account"])
        first = deliver(settings, open_session)
        assert (first.delivered, first.failed) == (0, 1)
        assert first.errors == ["the recipient answered HTTP 503"]
        with open_session() as session:
            message = session.scalars(select(OutboxMessage)).one()
            assert message.attempts == 1 and message.last_error == first.errors[0]
            assert message.next_attempt_at == START + dt.timedelta(minutes=5)
            assert recipients.of_person(session, person_id)[0].delivered is False

        clock.advance(dt.timedelta(minutes=4))
        assert deliver(settings, open_session).failed == 0  # not due yet: nothing sent
        assert len(webhook.received) == 1

        clock.advance(dt.timedelta(minutes=1))
        assert deliver(settings, open_session).failed == 1  # the 500; next wait doubles
        with open_session() as session:
            message = session.scalars(select(OutboxMessage)).one()
            assert message.next_attempt_at == clock.now() + dt.timedelta(minutes=10)

        clock.advance(dt.timedelta(minutes=10))
        assert deliver(settings, open_session).delivered == 1
        assert deliver(settings, open_session).delivered == 0  # never sent twice
    assert len(webhook.received) == 3
    with open_session() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert message.delivered_at is not None and message.last_error is None
        assert len(session.scalars(select(Disclosure)).all()) == 1


def test_back_off_doubles_up_to_a_day():
    waits = [recipients.backoff(n) for n in range(1, 12)]
    assert waits[:4] == [dt.timedelta(minutes=m) for m in (5, 10, 20, 40)]
    assert waits[-1] == dt.timedelta(hours=24)


@pytest.mark.promise("S1")
def test_a_certificate_the_settings_do_not_trust_is_refused(notices, webhook):
    settings, open_session = notices
    untrusting = settings.model_copy(update={"outbound_ca_file": None})
    with clock.frozen_at(START):
        queue(open_session, "erasure", ["user.account"])
        done = deliver(untrusting, open_session)
    assert done.failed == 1 and done.errors[0].startswith("could not reach the recipient")
    assert webhook.received == []


def test_after_the_last_attempt_the_officer_sees_the_failure(notices, webhook):
    settings, open_session = notices
    webhook.answers = [503] * recipients.MAX_ATTEMPTS
    with clock.frozen_at(START):
        request_id, _, _ = queue(open_session, "erasure", ["user.account"])
        given_up = 0
        for _ in range(recipients.MAX_ATTEMPTS):
            given_up += deliver(settings, open_session).given_up
            clock.advance(dt.timedelta(days=1))
        assert given_up == 1
        assert deliver(settings, open_session).failed == 0  # no more tries
    assert len(webhook.received) == recipients.MAX_ATTEMPTS
    assert ("recipient_failed", "crm") in steps(open_session, request_id)
