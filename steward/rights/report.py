"""Builders for an export's files: export.json, one CSV per category and report.html, in
the words a person reads (retention as "7 years after your account is closed", records as
"Ticket 12" or "Invoice I-2026-0003", categories and purposes by the policy's names, staff
by role, dates as the business writes them), styled as the published policy. No templates
in the domains: the page is written here and every value is escaped."""

import csv
import html
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from steward.policy.active import Words
from steward.policy.document import STYLE
from steward.policy.local import Local
from steward.policy.plain import ACTION, kept_for
from steward.policy.schema import Policy
from steward.rights.queries import KIND_LABELS, STATUS_NAMES

FORMAT = "steward.export/1"
PORTABLE_FORMAT = "steward.portable/1"


def category_info(policy: Policy, key: str) -> dict[str, Any]:
    """What the policy says about a category: purposes, bases, recipients, retention."""
    category = policy.categories.get(key)
    if category is None:
        return {"name": Words(policy).category(key)}
    purposes = [
        {
            "key": p,
            "name": policy.purposes[p].name if p in policy.purposes else p,
            "lawful_basis": policy.purposes[p].lawful_basis if p in policy.purposes else None,
        }
        for p in category.purposes
    ]
    recipients = [
        {"key": k, "name": r.name, "service": r.service, "location": r.location}
        for k, r in policy.processors.items()
        if any(key == c or key.startswith(c + ".") or c.startswith(key + ".") for c in r.categories)
    ]
    return {
        "name": category.name,
        "description": category.description,
        "sources": list(category.sources),
        "purposes": purposes,
        "recipients": recipients,
        "retention": {
            "kept": kept_for(category.retention),
            "then": ACTION[category.retention.action],
        },
    }


TABLES = {
    "people": "your profile",
    "accounts": "your account",
    "tickets": "ticket",
    "messages": "message",
    "attachments": "attachment",
    "calls": "call record",
    "call_recordings": "call recording",
    "remote_sessions": "remote session",
    "devices": "device",
    "telemetry": "device reading",
    "service_records": "service record",
    "maintenance_schedules": "maintenance schedule",
    "memberships": "membership of an organisation",
    "notification_preferences": "your notification preferences",
    "rights_requests": "privacy request",
    "consent_events": "consent record",
    "usage_events": "website visit",
    "warranty_claims": "warranty claim",
    "quotes": "quote",
    "invoices": "invoice",
    "payments": "payment",
}
HOW = {
    "subject": "yours",
    "about_id": "about you",
    "author_id": "written by you",
    "assigned_to_id": "assigned to you",
    "person_id": "names you",
    "device_id.devices": "from a device you use",
    "message_id.messages": "on a message of yours",
}
ROLES = {
    "customer": "another customer",
    "agent": "a support agent",
    "billing": "billing staff",
    "call_reviewer": "a call reviewer",
    "privacy_officer": "the privacy officer",
    "admin": "an administrator",
}


def table_words(table: str) -> str:
    return TABLES.get(table, table.replace("_", " "))


def how_words(how: str) -> str:
    return HOW.get(how, "linked to you")


def role_words(role: str) -> str:
    return ROLES.get(role, "staff")


def row_words(table: str, row: object) -> str:
    """What a row is, for the officer's review: "an internal note", "a ticket"."""
    if table == "messages" and getattr(row, "visibility", None) == "internal":
        return "an internal note"
    return article(table_words(table))


def article(words: str) -> str:
    """'a ticket', 'an invoice'; 'your profile' as it is."""
    if words.startswith("your"):
        return words
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def to_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2, sort_keys=True, default=str).encode()


def write_csv(out: io.TextIOBase, rows: Iterable[dict[str, Any]]) -> None:
    """A category's values as CSV: table, row id, column, value."""
    fields = ["table", "row_id", "column", "value"]
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)


def record_name(table: str, row_id: object, number: object, how: str) -> str:
    """A record as the person knows it: "Ticket 12, yours", "Invoice I-2026-0003, yours",
    "Your profile"; never an internal id."""
    words = table_words(table)
    if words.startswith("your"):
        return words[0].upper() + words[1:]
    if number:
        words = f"{words} {number}"
    elif table == "tickets":  # a ticket's number is its reference
        words = f"{words} {row_id}"
    return f"{words[0].upper()}{words[1:]}, {how}"


def _when(local: Local, iso: str | None) -> str:
    return local.day(datetime.fromisoformat(iso)) if iso else ""


def _value(value: object) -> str:
    """A value as a person reads it: yes or no; a list of records kept as JSON (an invoice's
    lines) one record after another, each field by its name in words."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and value.startswith("[{"):
        try:
            records = json.loads(value)
        except ValueError:
            return value
        return "; ".join(
            ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in record.items())
            for record in records
            if isinstance(record, dict)
        )
    return str(value)


def _request_line(item: dict[str, Any], answered: str, local: Local) -> str:
    kind = KIND_LABELS.get(item["kind"], item["kind"].replace("_", " "))
    line = f"{item['reference']}: {kind}, received {_when(local, item['received_at'])}"
    if item["reference"] == answered:
        return f"{line}; answered with this copy"
    status = STATUS_NAMES.get(item["status"], item["status"]).lower()
    done = f" on {_when(local, item['completed_at'])}" if item.get("completed_at") else ""
    return f"{line}; {status}{done}"


# What the report adds to the policy document's style: a contents list and a quiet lead.
EXTRA_STYLE = (
    ".lead{font-size:1.05rem}.contents{columns:2;padding-left:1.2rem}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}"
    "dd{margin:0}@media (max-width:40rem){.contents{columns:1}dl{grid-template-columns:1fr}}"
)


def html_lines(document: dict[str, Any], words: Words, local: Local) -> Iterator[str]:
    """The export in plain words, styled as the published policy is, readable on a phone and
    printable: each category by its policy name, records by the names people know them by,
    dates as the business writes them; the request this copy answers is answered. Written
    line by line as a category's values are read, so no whole page is held in memory."""
    e = html.escape
    business = document["controller"]["name"]
    generated = _when(local, document["generated_at"])
    held = [
        (f"c-{n}", category["about"].get("name") or words.category(key), category)
        for n, (key, category) in enumerate(document["categories"].items(), start=1)
    ]
    sections = [(anchor, name) for anchor, name, _ in held]
    sections += [
        ("consents", "Consent record"),
        ("use", "Who used your data"),
        ("disclosures", "Who we told about your data"),
    ]
    if document.get("withheld"):
        sections.append(("withheld", "What we withheld"))
    if document.get("mentioned_in"):
        sections.append(("mentioned", "Where other people's records name you"))
    sections.append(("requests", "Your requests"))
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Your data held by {e(business)}</title>",
        f"<style>{STYLE}{EXTRA_STYLE}</style></head><body><main>",
        f"<h1>The data {e(business)} holds about you</h1>",
        f'<p class="lead">This copy answers your request {e(document["reference"])}; we made'
        f" it on {e(generated)}. It is everything we hold about you: what you gave us, what"
        " we recorded about you and what our staff wrote about you. Questions about it? Write"
        f" to {e(str(document['controller'].get('contact') or ''))}.</p>",
        '<nav aria-label="Contents"><ul class="contents">',
        *(f'<li><a href="#{anchor}">{e(name)}</a></li>' for anchor, name in sections),
        "</ul></nav>",
    ]
    yield from parts
    parts.clear()
    for anchor, name, category in held:
        info = category["about"]
        parts.append(f'<section id="{anchor}"><h2>{e(name)}</h2>')
        if info.get("description"):
            parts.append(f"<p>{e(info['description'])}</p>")
        purposes = ", ".join(
            f"{p['name']} ({str(p['lawful_basis']).replace('_', ' ')})"
            for p in info.get("purposes", [])
        )
        recipients = ", ".join(r["name"] for r in info.get("recipients", [])) or "nobody"
        retention = info.get("retention", {})
        parts.append(
            "<dl>"
            f"<dt>Where it comes from</dt><dd>{e(', '.join(info.get('sources', [])))}</dd>"
            f"<dt>What we use it for, and why we may</dt><dd>{e(purposes)}</dd>"
            f"<dt>Who else receives it</dt><dd>{e(recipients)}</dd>"
            f"<dt>How long we keep it</dt><dd>{e(str(retention.get('kept', '')))}, "
            f"{e(str(retention.get('then', '')))}</dd></dl>"
        )
        parts.append(
            '<div class="table"><table><thead><tr><th scope="col">Record</th>'
            '<th scope="col">Field</th><th scope="col">Value</th></tr></thead><tbody>'
        )
        yield from parts
        parts.clear()
        for value in category["values"]:
            yield (
                f"<tr><td>{e(value['record'])}</td>"
                f"<td>{e(value['column'].replace('_', ' ').capitalize())}</td>"
                f"<td>{e(_value(value['value']))}</td></tr>"
            )
        parts.append("</tbody></table></div></section>")
    parts.append('<section id="consents"><h2>Consent record</h2>')
    consents = [
        f"<li>{e(_when(local, item['at']))}: {e(words.purpose(item['purpose']))}, consent"
        f" {e(item['choice'])} ({e(item['method'].replace('_', ' '))}), under version"
        f" {e(str(item['policy_version']))} of our privacy policy</li>"
        for item in document.get("consents", [])
    ]
    parts.append(
        f"<ul>{''.join(consents)}</ul>" if consents else "<p>You gave or withdrew no consent.</p>"
    )
    parts.append(
        '</section><section id="use"><h2>Who used your data</h2>'
        "<p>From our audit trail: who looked at or changed your data, by role, and why;"
        " and which recipients were told about it.</p>"
        '<div class="table"><table><thead><tr><th scope="col">Who</th><th scope="col">Did</th>'
        '<th scope="col">Why</th><th scope="col">How often</th><th scope="col">First</th>'
        '<th scope="col">Last</th></tr></thead><tbody>'
    )
    for use in document.get("data_use", []):
        parts.append(
            f"<tr><td>{e(use['who'])}</td><td>{e(use['did'])}</td><td>{e(use['purpose'])}</td>"
            f"<td>{use['count']}</td><td>{e(local.day(use['first']))}</td>"
            f"<td>{e(local.day(use['last']))}</td></tr>"
        )
    parts.append('</tbody></table></div></section><section id="disclosures">')
    parts.append("<h2>Who we told about your data</h2>")
    told = [
        f"<li>{e(_when(local, item['at']))}: {e(item['recipient'])},"
        f" {e(', '.join(words.category(c) for c in item['categories']))}"
        f" ({e(item['reason'].replace('_', ' '))})</li>"
        for item in document["disclosures"]
    ]
    parts.append(
        f"<ul>{''.join(told)}</ul>" if told else "<p>We told nobody else about your data.</p>"
    )
    parts.append("</section>")
    if document.get("withheld"):
        parts.append(
            '<section id="withheld"><h2>What we withheld</h2><p>We left these out of your copy,'
            " as the law allows, and tell you why:</p><ul>"
        )
        for item in document["withheld"]:
            what = article(item["what"])
            parts.append(f"<li>{e(what[0].upper() + what[1:])}: {e(item['reason'])}</li>")
        parts.append("</ul></section>")
    if document.get("mentioned_in"):
        parts.append('<section id="mentioned"><h2>Where other people\'s records name you</h2><ul>')
        for item in document["mentioned_in"]:
            what = article(table_words(item["table"]))
            parts.append(f"<li>{e(what[0].upper() + what[1:])}: {e(item['as'])}</li>")
        parts.append("</ul></section>")
    parts.append('<section id="requests"><h2>Your requests</h2><ul>')
    for item in document["requests"]:
        parts.append(f"<li>{e(_request_line(item, document['reference'], local))}</li>")
    parts.append("</ul></section></main></body></html>")
    yield from parts
