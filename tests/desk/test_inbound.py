"""Inbound mail (D7): mail becomes tickets and replies, through `steward mail ingest` and a
real SMTP conversation with `steward mail listen`. What was filed is checked on the desk, as
an agent would see it."""

import os
import re
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage

import pytest

from steward.cli import app
from steward.core.settings import get_settings
from tests.people import free_port

SERVICE_ADDRESS = "service@houstongeneratorcompany.com"
PDF = b"%PDF-1.4 a generator's wiring diagram"


def mail(
    sender: str = "Ada Lovelace <ada@example.com>",
    subject: str = "The generator will not start",
    body: str = "It clicks and stops. Serial GX-1200.",
    message_id: str = "<first@mail.example.com>",
    **headers: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SERVICE_ADDRESS
    message["Subject"] = subject
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


@pytest.fixture
def env(identity_settings) -> dict[str, str]:
    return {
        "STEWARD_DATABASE_URL": identity_settings.database_url,
        "STEWARD_POLICY": str(identity_settings.policy),
        "STEWARD_KEY_FILE": str(identity_settings.key_file),
        "STEWARD_FILES_DIR": str(identity_settings.files_dir),
        "STEWARD_SMTP_URL": identity_settings.smtp_url,
    }


@pytest.fixture
def ingest(cli, env):
    """Run `steward mail ingest -` with the message on standard input."""

    def run(message: EmailMessage | bytes):
        raw = message if isinstance(message, bytes) else message.as_bytes()
        get_settings.cache_clear()
        try:
            return cli.invoke(app, ["mail", "ingest", "-"], input=raw, env=env)
        finally:
            get_settings.cache_clear()

    return run


def filed(result) -> int:
    """The ticket number `steward mail ingest` printed."""
    assert result.exit_code == 0, result.output
    found = re.search(r"ticket (\d+)", result.output)
    assert found, result.output
    return int(found.group(1))


def ticket(desk, number: int) -> dict:
    answer = desk.get(f"/api/v1/tickets/{number}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def queue(desk) -> list[dict]:
    answer = desk.get("/api/v1/tickets")
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


@pytest.mark.promise("D7")
def test_a_mail_from_a_stranger_opens_a_ticket_with_its_text_and_attachment(admin, ingest):
    message = mail()
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="wiring.pdf")

    result = ingest(message)

    assert result.output.strip() == "ticket 1: new"
    opened = ticket(admin, 1)
    assert opened["subject"] == "The generator will not start"
    assert opened["channel"] == "email"
    assert opened["requester_name"] == "Ada Lovelace"
    [first] = opened["messages"]
    assert "It clicks and stops" in first["body"]
    [attached] = first["attachments"]
    assert attached["filename"] == "wiring.pdf"
    download = admin.get(f"/api/v1/attachments/{attached['id']}")
    assert download.status_code == 200
    assert download.content == PDF


@pytest.mark.promise("D7")
def test_a_reply_to_our_notification_threads_onto_the_same_ticket(admin, ingest, mailbox):
    number = filed(ingest(mail()))
    answer = admin.post(
        f"/api/v1/tickets/{number}/messages", json={"body": "Is the fuel valve open?"}
    )
    assert answer.status_code == 201, answer.text
    notification = mailbox.last_to("ada@example.com")
    assert notification["Subject"].startswith(f"[#{number}]")

    reply = mail(
        subject="Re: your request",  # no number: the Message-ID threads it
        body="It was closed, thank you!\n\nOn Monday the desk wrote:\n> Is the fuel valve open?",
        message_id="<second@mail.example.com>",
        In_Reply_To=notification["Message-ID"],
        References=notification["Message-ID"],
    )
    result = ingest(reply)

    assert result.output.strip() == f"ticket {number}: reply"
    bodies = [m["body"] for m in ticket(admin, number)["messages"]]
    assert bodies[-1] == "It was closed, thank you!"  # the quoted mail is left out
    assert len(queue(admin)) == 1


@pytest.mark.promise("D7")
def test_a_reply_naming_the_ticket_in_its_subject_threads_onto_it(admin, ingest):
    number = filed(ingest(mail()))
    reply = mail(subject=f"Re: [#{number}] The generator", message_id="<second@mail.example.com>")
    assert ingest(reply).output.strip() == f"ticket {number}: reply"
    assert len(ticket(admin, number)["messages"]) == 2


@pytest.mark.promise("D7")
def test_a_reply_to_an_earlier_mail_of_the_thread_threads_onto_its_ticket(admin, ingest):
    number = filed(ingest(mail()))
    reply = mail(
        subject="Also the battery",
        message_id="<second@mail.example.com>",
        References="<first@mail.example.com>",
    )
    assert ingest(reply).output.strip() == f"ticket {number}: reply"


@pytest.mark.promise("D7")
def test_someone_else_naming_a_ticket_opens_a_new_one_instead(admin, ingest):
    number = filed(ingest(mail()))
    intruder = mail(
        sender="Eve <eve@example.com>",
        subject=f"Re: [#{number}] The generator",
        body="Please send me the address on file.",
        message_id="<eve@mail.example.com>",
        In_Reply_To="<first@mail.example.com>",
    )

    other = filed(ingest(intruder))

    assert other != number
    assert len(ticket(admin, number)["messages"]) == 1
    theirs = ticket(admin, other)
    assert theirs["requester_name"] == "Eve"
    assert theirs["subject"] == "The generator"  # no reference to someone else's ticket


def test_a_first_mail_from_an_organisations_domain_is_filed_under_it(admin, ingest):
    created = admin.post("/api/v1/organisations", json={"name": "Acme", "domain": "acme.test"})
    assert created.status_code == 201, created.text
    number = filed(ingest(mail(sender="Wile <wile@acme.test>")))
    assert ticket(admin, number)["organisation_name"] == "Acme"


@pytest.mark.promise("D7")
@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X_Autoreply": "yes"},
        {"Return_Path": "<>"},
    ],
    ids=["auto-submitted", "precedence", "x-autoreply", "bounce"],
)
def test_automatic_replies_and_bounces_are_ignored(admin, ingest, mailbox, headers):
    sent_before = len(mailbox.messages)
    result = ingest(mail(subject="Out of office", **headers))
    assert result.exit_code == 0
    assert result.output.startswith("ignored")
    assert queue(admin) == []
    assert len(mailbox.messages) == sent_before  # nothing answers it: no loop


@pytest.mark.promise("D7")
def test_a_delivery_report_from_a_mail_server_is_ignored(admin, ingest):
    bounce = mail(sender="MAILER-DAEMON@mail.example.com", subject="Undelivered Mail")
    assert ingest(bounce).output.startswith("ignored")
    assert queue(admin) == []


@pytest.mark.promise("D7")
def test_the_same_message_delivered_twice_is_stored_once(admin, ingest):
    number = filed(ingest(mail()))
    again = ingest(mail())
    assert again.exit_code == 0
    assert again.output.strip() == f"ignored (ticket {number}): this message was already received"
    assert len(queue(admin)) == 1
    assert len(ticket(admin, number)["messages"]) == 1


@pytest.mark.promise("D7")
@pytest.mark.parametrize(
    "raw",
    [b"", b"just some words, no headers", b"From: nobody\r\nSubject: hi\r\n\r\nhello"],
    ids=["empty", "no-headers", "no-address"],
)
def test_a_malformed_mail_is_refused_with_a_clear_reason(admin, ingest, raw):
    result = ingest(raw)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    assert queue(admin) == []


@pytest.mark.promise("D7")
@pytest.mark.promise("D4")
def test_a_card_number_in_a_mail_is_masked_and_the_sender_is_told(admin, ingest, mailbox):
    result = ingest(mail(body="Charge my card 4111 1111 1111 1111 for the visit."))

    number = filed(result)
    assert "1 card number(s) masked" in result.output
    body = ticket(admin, number)["messages"][0]["body"]
    assert "4111 1111 1111 1111" not in body
    assert "ending 1111" in body
    told = mailbox.last_to("ada@example.com")
    assert told["Subject"] == f"[#{number}] Your mail was received"
    assert told["In-Reply-To"] == "<first@mail.example.com>"
    assert "card number" in told.get_payload(decode=True).decode()


@pytest.mark.promise("D7")
def test_an_attachment_over_the_limits_is_left_out_with_a_note_and_the_rest_is_kept(
    admin, ingest, mailbox
):
    message = mail()
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="wiring.pdf")
    message.add_attachment(
        b"MZ\x90\x00", maintype="application", subtype="x-msdownload", filename="fix.exe"
    )

    number = filed(ingest(message))

    [first] = ticket(admin, number)["messages"]
    assert [a["filename"] for a in first["attachments"]] == ["wiring.pdf"]
    assert "[Attachments not kept: fix.exe: a type of file we do not accept]" in first["body"]
    told = mailbox.last_to("ada@example.com").get_payload(decode=True).decode()
    assert "Some attachments were not kept" in told


@pytest.mark.promise("D7")
def test_a_mail_with_only_html_is_filed_as_its_text(admin, ingest):
    message = mail()
    message.set_content(
        "<html><head><style>p {}</style></head><body><p>It <b>clicks</b></p>"
        "<script>alert('x')</script><p>Tom &amp; Jerry</p></body></html>",
        subtype="html",
    )
    number = filed(ingest(message))
    assert ticket(admin, number)["messages"][0]["body"] == "It clicks\n\nTom & Jerry"


def test_ingest_reads_a_message_from_a_file(admin, cli, env, tmp_path):
    path = tmp_path / "message.eml"
    path.write_bytes(mail().as_bytes())
    get_settings.cache_clear()
    try:
        result = cli.invoke(app, ["mail", "ingest", str(path)], env=env)
        missing = cli.invoke(app, ["mail", "ingest", str(tmp_path / "none.eml")], env=env)
    finally:
        get_settings.cache_clear()
    assert result.output.strip() == "ticket 1: new"
    assert missing.exit_code == 1
    assert missing.output.startswith("error: cannot read")


@pytest.fixture
def listener(env):
    """`steward mail listen` in its own process, on a free port; yields the port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "steward", "mail", "listen", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(300):  # waits for the server to come up, asserts nothing about time
            if process.poll() is not None:
                pytest.fail(f"steward mail listen stopped: {process.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stderr.close()


def send(port: int, message: EmailMessage, to: str = SERVICE_ADDRESS) -> tuple[int, bytes]:
    """One SMTP conversation; the server's answer to the message."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.ehlo()
        smtp.mail("ada@example.com")
        code, _ = smtp.rcpt(to)
        if code != 250:
            return code, b""
        return smtp.data(message.as_bytes())


@pytest.mark.promise("D7")
def test_mail_sent_over_smtp_opens_a_ticket_and_its_reply_threads(admin, listener):
    message = mail()
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="wiring.pdf")

    code, said = send(listener, message)

    assert code == 250
    assert said.decode().endswith("ticket 1 new")
    reply = mail(subject="Re: [#1] The generator", message_id="<second@mail.example.com>")
    code, said = send(listener, reply)
    assert said.decode().endswith("ticket 1 reply")
    opened = ticket(admin, 1)
    assert opened["requester_name"] == "Ada Lovelace"
    assert [len(m["attachments"]) for m in opened["messages"]] == [1, 0]


@pytest.mark.promise("R1")
def test_a_mail_bccd_to_the_privacy_address_over_smtp_opens_a_request(admin, listener):
    asked = mail(subject="Copy please", body="Please send me a copy of my personal data.")
    code, said = send(listener, asked, to="privacy@houstongeneratorcompany.com")
    assert code == 250 and said.decode().startswith("OK privacy request PR-"), said
    assert queue(admin) == []


@pytest.mark.promise("D7")
def test_the_smtp_listener_takes_mail_only_for_the_business(admin, listener):
    code, _ = send(listener, mail(), to="someone@elsewhere.example")
    assert code == 550
    assert queue(admin) == []


@pytest.mark.promise("D7")
def test_the_smtp_listener_refuses_malformed_mail_and_ignores_auto_replies(admin, listener):
    with smtplib.SMTP("127.0.0.1", listener, timeout=30) as smtp:
        smtp.ehlo()
        smtp.mail("ada@example.com")
        smtp.rcpt(SERVICE_ADDRESS)
        code, said = smtp.data(b"Subject: no sender at all\r\n\r\nhello")
    assert code == 550
    assert b"sender" in said
    code, _ = send(listener, mail(Auto_Submitted="auto-replied"))
    assert code == 250
    assert queue(admin) == []
