"""Builders for an export's files: export.json, one CSV per category and report.html, in
the words a person reads (retention as "7 years after your account is closed", records as
"Ticket 12", staff by role). Standard library only (no templates in the domains); every
value is escaped."""

import csv
import html
import io
import json
from typing import Any

from steward.policy.plain import ACTION, kept_for
from steward.policy.schema import Policy

FORMAT = "steward.export/1"
PORTABLE_FORMAT = "steward.portable/1"


def category_info(policy: Policy, key: str) -> dict[str, Any]:
    """What the policy says about a category: purposes, bases, recipients, retention."""
    category = policy.categories.get(key)
    if category is None:
        return {"name": key}
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


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["table", "row_id", "column", "value"])
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


def _record(value: dict[str, Any]) -> str:
    words = table_words(value["table"])
    if words.startswith("your"):
        return words[0].upper() + words[1:]
    number = f" {value['row_id']}" if value["table"] in ("tickets", "invoices", "quotes") else ""
    return f"{words[0].upper()}{words[1:]}{number}, {value.get('as', 'yours')}"


def to_html(document: dict[str, Any]) -> bytes:
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><meta charset='utf-8'>",
        f"<title>Your data: {e(document['reference'])}</title>",
        f"<h1>The data {e(document['controller']['name'])} holds about you</h1>",
        f"<p>Request {e(document['reference'])}, generated {e(document['generated_at'][:10])}."
        " This is everything we hold about you: what you gave us, what we recorded about you"
        " and what our staff wrote about you.</p>",
    ]
    for key, category in document["categories"].items():
        info = category["about"]
        parts.append(f"<h2>{e(info.get('name', key))}</h2>")
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
            f"<dt>Source</dt><dd>{e(', '.join(info.get('sources', [])))}</dd>"
            f"<dt>Purposes and lawful basis</dt><dd>{e(purposes)}</dd>"
            f"<dt>Recipients</dt><dd>{e(recipients)}</dd>"
            f"<dt>Kept</dt><dd>{e(str(retention.get('kept', '')))}, "
            f"{e(str(retention.get('then', '')))}</dd></dl>"
        )
        parts.append("<table><tr><th>Record</th><th>Field</th><th>Value</th></tr>")
        for value in category["values"]:
            parts.append(
                f"<tr><td>{e(_record(value))}</td>"
                f"<td>{e(value['column'].replace('_', ' '))}</td>"
                f"<td>{e(str(value['value']))}</td></tr>"
            )
        parts.append("</table>")
    parts.append("<h2>Consent record</h2><ul>")
    for item in document.get("consents", []):
        parts.append(
            f"<li>{e(item['at'][:10])}: {e(item['purpose'])} {e(item['choice'])} by "
            f"{e(item['method'])}, policy version {e(item['policy_version'])}</li>"
        )
    parts.append("</ul><h2>Who used your data</h2>")
    parts.append(
        "<p>From our audit trail: who looked at or changed your data, by role, and why;"
        " and which recipients were told about it.</p><table><tr><th>Who</th><th>Did</th>"
        "<th>Why</th><th>How often</th><th>First</th><th>Last</th></tr>"
    )
    for use in document.get("data_use", []):
        parts.append(
            f"<tr><td>{e(use['who'])}</td><td>{e(use['did'])}</td><td>{e(use['purpose'])}</td>"
            f"<td>{use['count']}</td><td>{e(str(use['first'])[:10])}</td>"
            f"<td>{e(str(use['last'])[:10])}</td></tr>"
        )
    parts.append("</table><h2>Disclosures</h2><ul>")
    for item in document["disclosures"]:
        parts.append(
            f"<li>{e(item['at'][:10])}: {e(item['recipient'])}, "
            f"{e(', '.join(item['categories']))} ({e(item['reason'].replace('_', ' '))})</li>"
        )
    parts.append("</ul>")
    if document.get("withheld"):
        parts.append(
            "<h2>What we withheld</h2><p>We left these out of your copy, as the law"
            " allows, and tell you why:</p><ul>"
        )
        for item in document["withheld"]:
            what = article(item["what"])
            parts.append(f"<li>{e(what[0].upper() + what[1:])}: {e(item['reason'])}</li>")
        parts.append("</ul>")
    if document.get("mentioned_in"):
        parts.append("<h2>Where other people's records name you</h2><ul>")
        for item in document["mentioned_in"]:
            what = article(table_words(item["table"]))
            parts.append(f"<li>{e(what[0].upper() + what[1:])}: {e(item['as'])}</li>")
        parts.append("</ul>")
    parts.append("<h2>Your requests</h2><ul>")
    for item in document["requests"]:
        parts.append(
            f"<li>{e(item['reference'])}: {e(item['kind'].replace('_', ' '))},"
            f" {e(item['status'])}, received {e(item['received_at'][:10])}</li>"
        )
    parts.append("</ul></html>")
    return "\n".join(parts).encode()
