"""Asking through each channel a policy names, as a person (or the privacy officer) does it:
the privacy center's API signed out or in, the portal and account settings through the API
signed in, a real mail fed to `steward mail ingest`, and a request the officer logs."""

import re
import shutil
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from steward.core import clock
from steward.policy.channels import usable
from tests.people import PASSWORD, customer
from tests.rights.conftest import code_in_last
from tests.rights.intake_kit import steward
from tests.rights.work import fulfil

# A plain-English mail asking for each kind; a question for an inquiry.
ASKING = {
    "access": "Please send me a copy of my personal data.",
    "ccpa_know": "Under the CCPA I want to know what personal information you hold about me.",
    "rectification": "My phone number is wrong; please correct my details.",
    "ccpa_correct": "I live in California: please correct my personal information.",
    "erasure": "Please erase my personal data.",
    "ccpa_delete": "I am a California resident: please delete my personal information.",
    "restriction": "Please restrict the processing of my data while you check it.",
    "portability": "Please transfer my data to my new provider in a machine-readable file.",
    "objection": "I object to the processing of my data.",
    "consent_withdrawal": "I withdraw my consent.",
    "ccpa_opt_out": "Do not sell or share my personal information.",
    "ccpa_limit": "Please limit the use of my sensitive personal information.",
    "inquiry": "Which companies process my information on your behalf?",
}
CORRECTIONS = {"name": "Ada King"}
POINTS = {"name": "Ada Lovelace", "birth_date": "1990-02-03"}  # as tests.people registers
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def use_example(data_dir: Path, example: Path) -> Path:
    shutil.copyfile(example, data_dir / "policy.yaml")
    return example


def mail(sender: str, to: str, subject: str, body: str, number: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Ada Lovelace <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Mon, 03 Mar 2031 09:00:00 +0000"
    message["Message-ID"] = f"<ask-{number}-{sender}>"
    message.set_content(body)
    return bytes(message)


def ingest(settings, raw: bytes) -> str:
    """`steward mail ingest -`; returns the reference of the privacy request it opened."""
    result = steward_with_input(settings, raw)
    assert result.exit_code == 0, result.output
    found = re.search(r"privacy request (PR-[A-Z0-9]{4}-[A-Z0-9]{4})", result.output)
    assert found, f"the mail was not taken as a privacy request: {result.output}"
    return found.group(1)


def steward_with_input(settings, raw: bytes):
    """`steward mail ingest -` with the mail on its standard input."""
    return steward(settings, "mail", "ingest", "-", input=raw)


class Asker:
    """One example's people asking, and its privacy officer answering, through the HTTP API
    and the mail command. Each case gets a person of its own (an erasure takes one away)."""

    def __init__(self, policy, officer, mailbox, new_client, settings) -> None:
        self.policy = policy
        self.officer = officer
        self.mailbox = mailbox
        self.new_client = new_client
        self.settings = settings
        self.count = 0

    def person(self) -> tuple[object, str]:
        self.count += 1
        address = f"p{self.count}@example.com"
        browser = self.new_client()
        customer(browser, self.mailbox, address)
        return browser, address

    def verification(self, kind: str) -> list[str]:
        return [] if kind == "inquiry" else list(self.policy.rights[kind].verification)

    def ask(self, kind: str, channel: str) -> tuple[str, str]:
        """Ask for `kind` through `channel` and verify as the channel allows; returns the
        request's reference and the address its answer goes to."""
        browser, address = self.person()
        if channel == "email":
            reference = self._by_mail(kind, address)
        elif channel in ("phone", "post", "in_person"):
            reference = self._logged(kind, channel, address)
        else:
            reference = self._online(kind, channel, browser, address)
        return reference, address

    def _body(self, kind: str) -> dict:
        body: dict = {"kind": kind, "details": ASKING[kind]}
        if kind in ("rectification", "ccpa_correct"):
            body["corrections"] = CORRECTIONS
        return body

    def _online(self, kind: str, channel: str, browser, address: str) -> str:
        body = self._body(kind)
        signed_out = usable("privacy_center", self.verification(kind), signed_in=False)
        if channel == "privacy_center" and (signed_out or kind == "inquiry"):
            asked = self.new_client().post("/api/v1/rights", json={**body, "email": address})
        else:
            api_channel = "api" if channel == "privacy_center" else channel
            body.update(channel=api_channel, password=PASSWORD)
            asked = browser.post("/api/v1/rights", json=body)
        assert asked.status_code == 202, f"{kind} {channel}: {asked.text}"
        reference = asked.json()["reference"]
        self._verify(reference, address, asked.json()["verification"])
        return reference

    def _by_mail(self, kind: str, address: str) -> str:
        raw = mail(address, self.policy.controller.privacy_contact, "Privacy", ASKING[kind], 1)
        reference = ingest(self.settings, raw)
        status = self.new_client().get(f"/api/v1/rights/{reference}").json()
        assert status["kind"] == kind, f"a mail asking for {kind} became {status['kind']}"
        self._verify(reference, address, status["verification"])
        return reference

    def _logged(self, kind: str, channel: str, address: str) -> str:
        body = {
            **self._body(kind),
            "channel": channel,
            "received": datetime.now(UTC).date().isoformat(),
            "name": "Ada Lovelace",
            "email": address,
        }
        methods = usable(channel, self.verification(kind))
        if kind != "inquiry":
            assert methods, f"{kind} by {channel}: no check an officer can make"
            body["checked"] = next((m for m in methods if m != "email_code"), methods[0])
            body["note"] = "Called back on the number we hold."
        body.pop("corrections", None)
        logged = self.officer.post("/api/v1/dpo/requests", json=body)
        assert logged.status_code == 201, f"{kind} {channel}: {logged.text}"
        found = logged.json()
        if found["status"] == "unverified":
            self._verify(found["reference"], address, ["email_code"])
        return found["reference"]

    def _verify(self, reference: str, address: str, methods: list[str]) -> None:
        if not methods:
            return
        stranger = self.new_client()
        if "email_code" in methods:
            code = code_in_last(self.mailbox, address)
            answer = stranger.post(f"/api/v1/rights/{reference}/verify", json={"code": code})
        elif "data_points" in methods:
            answer = stranger.post(f"/api/v1/rights/{reference}/data-points", json=POINTS)
        else:
            files = {"file": ("passport.png", PNG, "image/png")}
            sent = stranger.post(f"/api/v1/rights/{reference}/document", files=files)
            assert sent.status_code == 202, sent.text
            answer = self.officer.post(f"/api/v1/dpo/requests/{self.id_of(reference)}/verify")
        assert answer.status_code == 200, f"{reference}: {answer.text}"

    def id_of(self, reference: str) -> str:
        items = self.officer.get("/api/v1/dpo/requests", params={"include_closed": True}).json()[
            "items"
        ]
        return next(i["id"] for i in items if i["reference"] == reference)

    def fulfil(self, reference: str) -> None:
        """The officer's answer: fulfil an open request, answer an inquiry."""
        status = self.new_client().get(f"/api/v1/rights/{reference}").json()
        if status["status"] != "open":
            return  # done when verified (an opt-out, an objection, no data held)
        request_id = self.id_of(reference)
        if status["kind"] == "inquiry":
            done = self.officer.post(
                f"/api/v1/dpo/requests/{request_id}/answer",
                json={"text": "Our processors are listed in our privacy policy."},
            )
        else:
            fixing = status["kind"] in ("rectification", "ccpa_correct")
            options = {"corrections": CORRECTIONS} if fixing else {}
            done = fulfil(self.officer, request_id, options)
        assert done.status_code == 200, f"{reference}: {done.text}"

    def run_erasures(self, when: datetime) -> None:
        from steward.core import clock

        with clock.frozen_at(when):
            ran = steward(self.settings, "rights", "run")
        assert ran.exit_code == 0, ran.output

    def answered(self, reference: str, address: str) -> None:
        status = self.new_client().get(f"/api/v1/rights/{reference}").json()
        assert status["status"] == "done", f"{status['kind']} {reference}: {status['status']}"
        answers = [
            m
            for m in self.mailbox.to(address)
            if reference in m["Subject"]
            and not m["Subject"].startswith(("We received", "Your verification code"))
        ]
        assert answers, f"{status['kind']} {reference}: no answer mailed to {address}"


def cases(policy) -> list[tuple[str, str]]:
    """Every (kind, channel) the policy offers, inquiries included."""
    found = [("inquiry", c) for c in policy.inquiries.channels]
    for kind, right in policy.rights.items():
        if right is not None and right.offered:
            found += [(kind, c) for c in right.channels]
    return found


def log_on_page(officer, **fields: str):
    """Log a request on /dpo/log as the officer does after a phone call; `fields` override."""
    data = {
        "csrf_token": officer.headers["X-CSRF-Token"],
        "kind": "inquiry",
        "channel": "phone",
        "received": clock.now().date().isoformat(),
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "note": "Called back on the number we hold.",
        "details": "Who do you share my data with?",
        **fields,
    }
    return officer.post("/dpo/log", data=data, follow_redirects=False)
