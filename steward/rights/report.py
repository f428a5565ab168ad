"""Builders for an export's files: export.json, one CSV per category and report.html.
Standard library only (no templates in the domains); every value is escaped."""

import csv
import html
import io
import json
from typing import Any

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
            "period": str(category.retention.period),
            "trigger": category.retention.trigger,
            "action": category.retention.action,
        },
    }


def to_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2, sort_keys=True, default=str).encode()


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["table", "row_id", "column", "value"])
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


def to_html(document: dict[str, Any]) -> bytes:
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><meta charset='utf-8'>",
        f"<title>Your data: {e(document['reference'])}</title>",
        f"<h1>The data {e(document['controller']['name'])} holds about you</h1>",
        f"<p>Request {e(document['reference'])}, generated {e(document['generated_at'])}.</p>",
    ]
    for key, category in document["categories"].items():
        info = category["about"]
        parts.append(f"<h2>{e(info.get('name', key))} <small>({e(key)})</small></h2>")
        if info.get("description"):
            parts.append(f"<p>{e(info['description'])}</p>")
        purposes = ", ".join(f"{p['name']} ({p['lawful_basis']})" for p in info.get("purposes", []))
        recipients = ", ".join(r["name"] for r in info.get("recipients", [])) or "nobody"
        retention = info.get("retention", {})
        parts.append(
            "<dl>"
            f"<dt>Source</dt><dd>{e(', '.join(info.get('sources', [])))}</dd>"
            f"<dt>Purposes and lawful basis</dt><dd>{e(purposes)}</dd>"
            f"<dt>Recipients</dt><dd>{e(recipients)}</dd>"
            f"<dt>Kept</dt><dd>{e(str(retention.get('period', '')))} from "
            f"{e(str(retention.get('trigger', '')))}</dd></dl>"
        )
        parts.append("<table><tr><th>Record</th><th>Field</th><th>Value</th></tr>")
        for value in category["values"]:
            parts.append(
                f"<tr><td>{e(value['table'])} {e(str(value['row_id']))}</td>"
                f"<td>{e(value['column'])}</td><td>{e(str(value['value']))}</td></tr>"
            )
        parts.append("</table>")
    parts.append("<h2>Consent record</h2><ul>")
    for item in document.get("consents", []):
        parts.append(
            f"<li>{e(item['at'])}: {e(item['purpose'])} {e(item['choice'])} by "
            f"{e(item['method'])}, policy version {e(item['policy_version'])}</li>"
        )
    parts.append("</ul><h2>Disclosures</h2><ul>")
    for item in document["disclosures"]:
        parts.append(
            f"<li>{e(item['at'])}: {e(item['recipient'])}, {e(', '.join(item['categories']))}"
            f" ({e(item['reason'])})</li>"
        )
    parts.append("</ul><h2>Your requests</h2><ul>")
    for item in document["requests"]:
        parts.append(
            f"<li>{e(item['reference'])}: {e(item['kind'])}, {e(item['status'])}, "
            f"received {e(item['received_at'])}</li>"
        )
    parts.append("</ul></html>")
    return "\n".join(parts).encode()
