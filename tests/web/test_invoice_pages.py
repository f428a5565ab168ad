"""Invoices as their readers use them: the customer opens one from /portal/billing (lines,
totals, payments, status) and downloads its PDF; billing staff get the same PDF at the desk;
nobody else gets either. Amounts and dates as the business's locale writes them, and new
quotes and invoices default to the policy's currency."""

import base64
import re
import zlib

import pytest

from tests.conftest import DEFAULT_EXAMPLE, EXAMPLES
from tests.desk.team import Team
from tests.desk.test_billing import LINES, invoice, pay
from tests.rights.channels_kit import use_example

UK = EXAMPLES / "it-support-shop.yaml"
# Each example: its currency, how an amount and a date read there.
LOCALES = {
    DEFAULT_EXAMPLE.stem: ("USD", "$475.00", r"[A-Z][a-z]{2} \d{1,2}, \d{4}"),
    UK.stem: ("GBP", "£475.00", r"\d{1,2} [A-Z][a-z]{2} \d{4}"),
}


@pytest.fixture(params=[DEFAULT_EXAMPLE, UK], ids=lambda p: p.stem)
def example(request, data_dir):
    """The example in place of the default policy; ask for it before `team`."""
    return use_example(data_dir, request.param).stem


@pytest.fixture
def team(admin, mailbox, new_client) -> Team:
    return Team(admin, mailbox, new_client)


def pdf_text(data: bytes) -> str:
    """The text a PDF shows: its content streams (ASCII85, then deflated), decoded."""
    shown = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.DOTALL):
        try:
            shown.append(zlib.decompress(base64.a85decode(stream.strip(), adobe=True)))
        except (ValueError, zlib.error):
            continue  # not a content stream (a font, say)
    return "".join(re.findall(r"\((.*?)\) Tj", b"".join(shown).decode("latin-1")))


def billed(team: Team, currency: str = "USD") -> tuple[str, str]:
    """Ada's invoice (issued by the admin, who bills), partly paid; (its id, its number)."""
    _, ada_id = team.customer("ada")
    made = invoice(team.admin, ada_id, currency=currency)
    assert made.status_code == 201, made.text
    paid = pay(team.admin, made.json()["id"], 10000, currency=currency)
    assert paid.status_code == 201, paid.text
    return made.json()["id"], made.json()["number"]


def test_a_customer_opens_their_invoice_and_downloads_its_pdf(example, team):
    currency, total, date_shape = LOCALES[example]
    invoice_id, number = billed(team, currency)
    ada, _ = team.customer("ada")

    listed = ada.get("/portal/billing").text
    assert f'<a href="/portal/billing/invoices/{invoice_id}">{number}</a>' in listed
    assert total in listed
    assert not re.search(r">\d{4}-\d{2}-\d{2}<", listed)  # no ISO dates beside formatted ones

    page = ada.get(f"/portal/billing/invoices/{invoice_id}").text
    for shown in ("Annual generator service", "Oil filter", total, "Awaiting payment"):
        assert shown in page, shown
    assert "Balance due" in page and "ending 4242" in page
    assert re.search(rf"<time datetime=\"[^\"]+\">{date_shape}</time>", page)

    pdf = ada.get(f"/portal/billing/invoices/{invoice_id}/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment;")
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert number in text and "Annual generator service" in text and "Balance due" in text


def test_nobody_else_opens_the_invoice_or_its_pdf(team):
    invoice_id, _ = billed(team)
    bob, _ = team.customer("bob")
    for path in (
        f"/portal/billing/invoices/{invoice_id}",
        f"/portal/billing/invoices/{invoice_id}/pdf",
        f"/api/v1/invoices/{invoice_id}/pdf",
    ):
        refused = bob.get(path)
        assert refused.status_code == 404, path
        assert "Oil filter" not in refused.text
    assert team["agent"].get(f"/desk/billing/invoices/{invoice_id}/pdf").status_code == 403


def test_billing_staff_download_the_same_pdf_from_the_desk_and_the_api(team):
    invoice_id, number = billed(team)
    billing = team["billing"]
    assert (
        f'href="/desk/billing/invoices/{invoice_id}/pdf"'
        in billing.get(f"/desk/billing/invoices/{invoice_id}").text
    )
    for path in (f"/desk/billing/invoices/{invoice_id}/pdf", f"/api/v1/invoices/{invoice_id}/pdf"):
        pdf = billing.get(path)
        assert pdf.status_code == 200, path
        assert number in pdf_text(pdf.content)
    ada, _ = team.customer("ada")
    assert ada.get(f"/api/v1/invoices/{invoice_id}/pdf").status_code == 200


def test_new_quotes_and_invoices_offer_the_policys_currency(example, team):
    currency, _, _ = LOCALES[example]
    for kind in ("quotes", "invoices"):
        form = team["billing"].get(f"/desk/billing/{kind}/new").text
        assert re.search(rf'name="currency" type="text" value="{currency}"', form), kind


def test_the_pdf_bills_the_invoices_lines_and_says_what_is_still_due(team):
    """The PDF bills exactly the invoice's lines: two lines, their quantities and total."""
    invoice_id, _ = billed(team)
    text = pdf_text(team["billing"].get(f"/desk/billing/invoices/{invoice_id}/pdf").content)
    assert all(line["description"] in text for line in LINES)
    assert "475.00" in text and "375.00" in text  # the total, and what is still due
