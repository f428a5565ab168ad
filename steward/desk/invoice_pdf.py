"""An invoice as a PDF (reportlab): who issues it and to whom, its lines and totals, what was
paid and what is still due, in the business's locale and currency and the reader's time
zone. The same file for the customer in the portal and for billing staff at the desk; the
invoice, its payments and the payer's name are read through the usual gated services."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.actor import Actor
from steward.desk import people
from steward.desk.billing import BillingFilter, InvoiceView, PaymentView, _purpose
from steward.desk.invoices import get_invoice
from steward.desk.models import Organisation
from steward.desk.payments import list_payments
from steward.policy.active import policy_of
from steward.policy.local import Local
from steward.policy.publish import name_of
from steward.policy.schema import Controller

if TYPE_CHECKING:
    from reportlab.platypus import Table

STATUS_WORDS = {"issued": "Awaiting payment", "paid": "Paid", "void": "Void (cancelled)"}
LETTER_COUNTRIES = {"US", "CA", "MX", "PH", "CL", "CO", "VE"}  # the rest of the world uses A4
MOST_PAYMENTS = 200


def status_words(invoice: InvoiceView, today: date) -> str:
    """The invoice's status as its reader says it: awaiting payment, overdue, paid or void."""
    if invoice.status == "issued" and invoice.due_on and invoice.due_on < today:
        return "Overdue"
    return STATUS_WORDS.get(invoice.status, invoice.status.capitalize())


@dataclass(frozen=True)
class InvoiceFile:
    filename: str
    data: bytes


def invoice_file(
    session: Session, actor: Actor, invoice_id: str, time_zone: str | None = None
) -> InvoiceFile:
    """The invoice's PDF, for whoever may read the invoice (a customer: their own only)."""
    invoice = get_invoice(session, actor, invoice_id)
    payments = list_payments(
        session, actor, BillingFilter(invoice_id=invoice.id), limit=MOST_PAYMENTS
    ).items
    payer = people.names(session, actor, [invoice.person_id], _purpose(actor))
    organisation = (
        session.get(Organisation, invoice.organisation_id) if invoice.organisation_id else None
    )
    policy = policy_of(session)
    bill_to = [
        payer.get(invoice.person_id, ""),
        organisation.name if organisation else "",
        invoice.billing_address or "",
    ]
    local = Local.of(policy.controller, time_zone)
    data = render(invoice, payments, policy.controller, name_of(policy), local, bill_to)
    return InvoiceFile(f"{invoice.number}.pdf", data)


def render(
    invoice: InvoiceView,
    payments: Sequence[PaymentView],
    controller: Controller,
    business: str,
    local: Local,
    bill_to: Sequence[str],
) -> bytes:
    # reportlab is imported when an invoice is drawn, not when the server starts (0.2 s, 6 MB).
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4, LETTER
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    small = ParagraphStyle("Small", parent=body, fontSize=9, leading=11)
    heading = ParagraphStyle("Business", parent=styles["Title"], alignment=TA_LEFT)

    def text(value: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(value).replace("\n", "<br/>"), style)

    money = local.money
    buffer = BytesIO()
    page = LETTER if controller.country.upper() in LETTER_COUNTRIES else A4
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Invoice {invoice.number}",
        author=business,
        subject=f"Invoice {invoice.number} from {business}",
    )
    issuer = [controller.legal_name, controller.address, controller.email]
    if controller.phone:
        issuer.append(controller.phone)
    paid, total = invoice.paid_cents, invoice.total_cents
    facts = [
        ["Invoice number", invoice.number],
        ["Status", status_words(invoice, clock.today())],
        ["Issued", local.day(invoice.issued_on)],
        ["Due", local.day(invoice.due_on) if invoice.due_on else "On receipt"],
    ]
    story: list[object] = [
        text(business, heading),
        text("\n".join(issuer), small),
        Spacer(1, 6 * mm),
        text(f"Invoice {invoice.number}", styles["Heading1"]),
        _table(facts, header=False),
        Spacer(1, 4 * mm),
        text("Bill to", styles["Heading3"]),
        text("\n".join(line for line in bill_to if line) or "(not shown)"),
        Spacer(1, 4 * mm),
    ]
    if invoice.lines is not None:
        rows = [["Description", "Quantity", "Unit price", "Amount"]]
        rows += [
            [
                text(line.description),
                str(line.quantity),
                money(line.unit_cents, invoice.currency),
                money(line.total_cents, invoice.currency),
            ]
            for line in invoice.lines
        ]
        story.append(_table(rows, widths=(None, 22 * mm, 32 * mm, 32 * mm), numbers_from=1))
        story.append(Spacer(1, 3 * mm))
    totals = [
        ["Total", money(total, invoice.currency)],
        ["Paid", money(paid, invoice.currency)],
    ]
    if invoice.status != "void":
        totals.append(["Balance due", money(max(total - paid, 0), invoice.currency)])
    story.append(_table(totals, header=False, numbers_from=1, bold_last=True, align="RIGHT"))
    if payments:
        story += [Spacer(1, 4 * mm), text("Payments", styles["Heading3"])]
        rows = [["Date", "Amount", "Card"]]
        rows += [
            [
                local.day(p.paid_at),
                money(p.amount_cents, p.currency),
                f"ending {p.card_last4}" if p.card_last4 else "",
            ]
            for p in payments
        ]
        story.append(_table(rows, numbers_from=1))
    doc.build(story)
    return buffer.getvalue()


def _table(
    rows: Sequence[Sequence[object]],
    *,
    header: bool = True,
    widths: Sequence[float | None] | None = None,
    numbers_from: int | None = None,
    bold_last: bool = False,
    align: str = "LEFT",
) -> "Table":
    """A ruled table: a shaded header row (or a shaded first column of labels), amounts
    right-aligned from column `numbers_from`."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=widths, hAlign=align, repeatRows=1 if header else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#bbbbbb")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 0), (-1, -1), 10),
    ]
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0")),
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ]
    else:
        style += [
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
            ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
        ]
    if numbers_from is not None:
        style.append(("ALIGN", (numbers_from, 0), (-1, -1), "RIGHT"))
    if bold_last:
        style.append(("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"))
    table.setStyle(TableStyle(style))
    return table
