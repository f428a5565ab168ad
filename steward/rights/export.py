"""Access and portability exports (R1, R5, R10 know): built from the data map, sealed on disk
under the request's key, downloaded with a token until they expire, or pushed to another
provider over HTTPS with a signature.

Access / know: a zip with export.json (see docs/rights.md, "Export format"), one CSV per
category and report.html (per category: what is held, source, purposes and lawful basis,
recipients, retention), plus disclosures and the person's rights requests. Portability:
only what the person provided (categories whose sources name "you"), as JSON.
"""

import hashlib
import io
import ipaddress
import json
import re
import secrets
import socket
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.gate import RIGHTS, check, policy_of, resolve
from steward.consent import ledger
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import DomainError, Invalid, NotFound
from steward.core.settings import Settings
from steward.desk import files
from steward.desk.models import Mention
from steward.identity.common import state_of, vault_of
from steward.rights import report, signing
from steward.rights.common import event
from steward.rights.datamap import Holding, holdings, links
from steward.rights.models import Disclosure, RequestFile, RightsRequest
from steward.rights.recipients import tls_context
from steward.vault.service import Erased

FILES = "rights"  # the files.py kind of exports
ACCESS_KINDS = ("access", "ccpa_know")
_BY_YOU = re.compile(r"\byour?\b", re.IGNORECASE)


class Expired(DomainError):
    status = 410
    title = "Download expired"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, Erased):
        return None
    if isinstance(value, (str, bool, int, float)) or value is None:
        return value
    return str(value)


def records(
    session: Session, person_id: str, only: set[str] | None = None
) -> Iterator[tuple[Holding, Any, str, str, Any]]:
    """(holding, row id, column, category, value) for every declared value about the person,
    one indexed query per table, streamed."""
    for holding in holdings():
        if holding.subject is None:
            continue
        key = next(iter(holding.table.primary_key.columns)).key
        query = select(holding.model).where(holding.subject_column() == person_id)
        for row in session.scalars(query.execution_options(yield_per=500)):
            for column, category in holding.columns.items():
                if only is not None and category not in only:
                    continue
                value = _plain(getattr(row, column))
                if value is not None:
                    yield holding, getattr(row, key), column, category, value


def mentioned_in(session: Session, person_id: str) -> list[dict[str, Any]]:
    """Where other people's records name the person (a ticket about them, a message they
    wrote on someone else's ticket, a mention in a text): listed, without the other
    person's content, so the person knows it is there and can ask about it."""
    found: list[dict[str, Any]] = []
    for link in links():
        if link.table.name == "mentions":
            rows = session.execute(
                select(Mention.source_table, Mention.row_id).where(Mention.person_id == person_id)
            )
            found += [{"table": t, "row_id": r, "as": "named in the text"} for t, r in rows]
            continue
        key = next(iter(link.table.primary_key.columns))
        rows = session.execute(select(key).where(link.table.c[link.column] == person_id))
        found += [
            {"table": link.table.name, "row_id": _plain(r[0]), "as": link.column} for r in rows
        ]
    return found


def document(session: Session, request: RightsRequest, person_id: str) -> dict[str, Any]:
    policy = policy_of(session)
    categories: dict[str, dict[str, Any]] = {}
    for holding, row_id, column, category, value in records(session, person_id):
        key = resolve(policy, category) or category
        entry = categories.setdefault(
            key, {"about": report.category_info(policy, key), "values": []}
        )
        entry["values"].append(
            {
                "table": holding.name,
                "row_id": _plain(row_id),
                "column": column,
                "category": category,
                "value": value,
            }
        )
    disclosures = [
        {
            "recipient": d.recipient,
            "categories": json.loads(d.categories),
            "reason": d.reason,
            "at": d.at.isoformat(),
        }
        for d in session.scalars(
            select(Disclosure).where(Disclosure.person_id == person_id).order_by(Disclosure.at)
        )
    ]
    requests = [
        {
            "reference": r.reference,
            "kind": r.kind,
            "status": r.status,
            "outcome": r.outcome,
            "received_at": r.received_at.isoformat(),
            "completed_at": r.completed_at.isoformat() if r.completed_at else None,
        }
        for r in session.scalars(
            select(RightsRequest)
            .where(RightsRequest.person_id == person_id)
            .order_by(RightsRequest.received_at)
        )
    ]
    consents = [
        {
            "id": c.id,
            "purpose": c.purpose,
            "choice": c.choice,
            "method": c.method,
            "policy_version": c.policy_version,
            "text_sha256": c.text_sha256,
            "at": c.at.isoformat(),
            "receipt": f"/api/v1/consent/receipts/{c.id}",
        }
        for c in reversed(ledger.history(session, person_id))  # oldest first
    ]
    controller = policy.controller
    return {
        "format": report.FORMAT,
        "generated_at": clock.now().isoformat(),
        "reference": request.reference,
        "kind": request.kind,
        "person_id": person_id,
        "controller": {"name": controller.legal_name, "contact": controller.privacy_contact},
        "categories": dict(sorted(categories.items())),
        "consents": consents,
        "disclosures": disclosures,
        "requests": requests,
        "mentioned_in": mentioned_in(session, person_id),
    }


def _zip(doc: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.json", report.to_json(doc))
        for key, category in doc["categories"].items():
            archive.writestr(
                f"categories/{key}.csv",
                report.to_csv(
                    [
                        {k: v[k] for k in ("table", "row_id", "column", "value")}
                        for v in category["values"]
                    ]
                ),
            )
        archive.writestr("report.html", report.to_html(doc))
    return buffer.getvalue()


def provided(session: Session, person_id: str) -> dict[str, Any]:
    """What the person gave us: categories whose sources name them ("You", "your ...")."""
    policy = policy_of(session)
    mine = {
        column_category
        for holding in holdings()
        for column_category in holding.columns.values()
        if (key := resolve(policy, column_category)) is not None
        and any(_BY_YOU.search(s) for s in policy.categories[key].sources)
    }
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    for holding, row_id, column, _category, value in records(session, person_id, mine):
        if holding.name == "rights_requests":
            continue
        row = tables.setdefault(holding.name, {}).setdefault(str(row_id), {"id": _plain(row_id)})
        row[column] = value
    return {
        "format": report.PORTABLE_FORMAT,
        "generated_at": clock.now().isoformat(),
        "person_id": person_id,
        "records": {name: list(rows.values()) for name, rows in sorted(tables.items())},
    }


def build(session: Session, settings: Settings, actor: Actor, request: RightsRequest) -> str:
    """Build the export, seal it on disk, and return its one download token (the caller
    commits). Access and know: a zip; portability: JSON."""
    person_id = request.person_id
    if person_id is None:
        raise Invalid("This request matched nobody: there is no data to export.")
    check(session, actor, RIGHTS, state_of(session, person_id), ["user"], action="export")
    if request.kind in ACCESS_KINDS:
        data, name, kind, content_type = (
            _zip(document(session, request, person_id)),
            (f"{request.reference}.zip"),
            "export",
            "application/zip",
        )
    elif request.kind == "portability":
        data = report.to_json(provided(session, person_id))
        name, kind, content_type = f"{request.reference}.json", "portable", "application/json"
    else:
        raise Invalid("Only access, know and portability requests have an export.")
    token = secrets.token_urlsafe(32)
    now = clock.now()
    row = RequestFile(
        request_id=request.id,
        kind=kind,
        filename=name,
        content_type=content_type,
        size=len(data),
        token_hash=_hash(token),
        created_at=now,
        expires_at=policy_of(session).requests.download_expiry.after(now),
    )
    session.add(row)
    session.flush()
    files.store(session, settings.files_dir, FILES, row.id, request.id, data)
    event(session, request, "export_built", actor, note=kind)
    return token


def _file(session: Session, token: str) -> RequestFile:
    row = session.scalar(select(RequestFile).where(RequestFile.token_hash == _hash(token)))
    if row is None:
        raise NotFound("There is no download for this token.")
    if row.expires_at is None or row.expires_at <= clock.now():
        raise Expired("This download has expired; ask again for a new export.")
    return row


def download(session: Session, settings: Settings, token: str) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of an export, until it expires."""
    row = _file(session, token)
    data = files.load(session, settings.files_dir, FILES, row.id, row.request_id)
    row.downloaded_at = row.downloaded_at or clock.now()
    session.commit()
    return str(row.filename or "export"), row.content_type, data


def check_url(settings: Settings, url: str) -> str:
    """An https URL whose host resolves to public addresses only (unless allowed)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise Invalid("A push needs an https:// address.")
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Invalid("The push address does not resolve.") from None
    for *_, address in found:
        ip = ipaddress.ip_address(address[0])
        if not ip.is_global and not settings.allow_private_push:
            raise Invalid("A push may not go to a private, loopback or reserved address.")
    return parts.hostname


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer, never a second destination


def push(session: Session, settings: Settings, request: RightsRequest, url: str, token: str) -> int:
    """Send the portability export to another provider, signed; returns its HTTP status."""
    row = _file(session, token)
    if row.request_id != request.id or row.kind != "portable" or request.person_id is None:
        raise NotFound("There is no download for this token.")
    host = check_url(settings, url)
    body = files.load(session, settings.files_dir, FILES, row.id, row.request_id)
    headers = {
        "Content-Type": "application/json",
        signing.HEADER: signing.sign(vault_of(session).keyring, body),
    }
    outgoing = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (https checked)
    opener = urllib.request.build_opener(
        _NoRedirects, urllib.request.HTTPSHandler(context=tls_context(settings))
    )
    try:
        with opener.open(outgoing, timeout=15) as answer:
            status = int(answer.status)
    except urllib.error.HTTPError as failed:
        raise Invalid(f"The receiving provider refused the data (HTTP {failed.code}).") from None
    except (urllib.error.URLError, OSError):
        raise Invalid("The receiving provider could not be reached.") from None
    session.add(
        Disclosure(
            person_id=request.person_id,
            recipient=host[:100],
            categories=json.dumps(["user"]),
            reason="portability",
            request_id=request.id,
            at=clock.now(),
        )
    )
    event(session, request, "pushed", note=host[:200])
    session.commit()
    return status
