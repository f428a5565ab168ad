"""Access and portability exports (R1, R5, R10 know): built from the data map, sealed on disk
under the request's key, downloaded with a token until they expire, or pushed to another
provider over HTTPS with a signature.

Access / know: everything about the person, a zip with export.json (see docs/rights.md,
"Export format"), one CSV per category, data-use.json (who used the data, see data_use.py)
and report.html: the rows they own and the rows that reach them by any path of the data
map (about them, assigned to them, written by them, their organisation's device assigned
to them with its telemetry and service records), the disclosures and notices to
recipients, their requests; minus what the officer withheld at review (review.py), which
is listed by kind and reason. Portability: only what the person provided (rows they wrote,
in categories whose sources name "you"), and their choices, as JSON.
"""

import base64
import hashlib
import io
import ipaddress
import json
import re
import secrets
import socket
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import asdict
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Table, bindparam, case, or_, select
from sqlalchemy.orm import Session

from steward.access.gate import RIGHTS, check
from steward.consent import ledger
from steward.core import clock
from steward.core.actor import Actor
from steward.core.db import Base
from steward.core.errors import DomainError, Invalid, NotFound
from steward.core.settings import Settings
from steward.identity.common import state_of
from steward.identity.models import Account
from steward.pii.mentions import Mention
from steward.policy.active import Words, policy_of, resolve
from steward.policy.local import Local
from steward.rights import data_use, outbound, report, review, signing
from steward.rights.common import event
from steward.rights.datamap import Holding, holdings, link_columns, paths, provided_by
from steward.rights.models import Disclosure, OutboxMessage, RequestFile, RightsRequest
from steward.vault import crypto, files
from steward.vault.service import Erased, vault_of

FILES = "rights"  # the files.py kind of exports
SPOOL = 256 * 1024  # a category's spill held in memory before it goes to a temporary file
SPILL_PART = 64 * 1024
ACCESS_KINDS = review.ACCESS_KINDS
_BY_YOU = re.compile(r"\byour?\b", re.IGNORECASE)
# Links to a person that have a section of their own in the export, not rows of a holding.
SECTIONS = {
    ("mentions", "person_id"): "mentioned_in",
    ("disclosures", "person_id"): "disclosures",
    ("rights_outbox", "person_id"): "disclosures",
    ("audit_entries", "person_id"): "data_use",
    ("consent_events", "person_id"): "consents",
}


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


def key_of(holding: Holding) -> str:
    return next(iter(holding.table.primary_key.columns)).key


def rows(session: Session, person_id: str) -> Iterator[tuple[Holding, Any, str]]:
    """(holding, row, how it reaches the person) for every row about the person: one indexed
    query per table of the data map, its ways to the person OR-ed and the first that holds
    named by the database, read in batches of 500 as plain rows with their sealed values
    opened (no ORM objects: an export only reads); a row reached twice comes once."""
    vault = vault_of(session)
    connection = session.connection()
    for holding, query in _queries():
        result = connection.execute(query, {"person": person_id})
        for batch in result.partitions():
            vault.preload(session, (str(row._mapping[holding.owner]) for row in batch))
            for row in batch:
                found = dict(row._mapping)
                how = found.pop(_HOW)
                for column in holding.sealed:
                    if (blob := found.get(column)) is not None:
                        owner = str(found[holding.owner])
                        found[column] = vault.open(session, owner, f"{holding.name}.{column}", blob)
                yield holding, SimpleNamespace(**found), how


_HOW = "steward_how"


@cache
def _queries() -> tuple[tuple[Holding, Any], ...]:
    """Per holding, the query for its rows reaching a person (`:person`), in the data map's
    order, with the first way each row reaches them."""
    person: Any = bindparam("person")
    by_holding: dict[str, list[Any]] = {}
    for path in paths():
        by_holding.setdefault(path.holding.name, []).append(path)
    found = []
    for ways in by_holding.values():
        holding = ways[0].holding
        conditions = [(way.where(person), way.how) for way in ways]
        how = case(*conditions).label(_HOW)
        query = (
            select(holding.table, how)
            .where(or_(*(c for c, _ in conditions)))
            .execution_options(yield_per=500)
        )
        found.append((holding, query))
    return tuple(found)


def values(
    holding: Holding, row: Any, only: set[str] | None = None
) -> Iterator[tuple[str, str, Any]]:
    """(column, category, value) of the row's declared values that are set."""
    for column, category in holding.columns.items():
        if only is not None and category not in only:
            continue
        value = _plain(getattr(row, column))
        if value is not None:
            yield column, category, value


def unplaced(tables: Iterable[Table] | None = None) -> list[str]:
    """Links to a person that have no place in the export ("table.column"): every link of a
    table holding declared personal data is exported with its rows; any other link needs a
    section (SECTIONS). The coverage test fails on what this names."""
    held = {h.name for h in holdings()}
    return [
        f"{table.name}.{column}"
        for table in (Base.metadata.sorted_tables if tables is None else tables)
        if table.name != "people" and table.name not in held
        for column in link_columns(table)
        if (table.name, column) not in SECTIONS
    ]


def mentioned_in(session: Session, person_id: str) -> list[dict[str, Any]]:
    """Where the text of other people's records names the person: listed, without the
    other person's content, so the person knows it is there and can ask about it."""
    found = session.execute(
        select(Mention.source_table, Mention.row_id).where(Mention.person_id == person_id)
    )
    return [{"table": t, "row_id": r, "as": "named in the text"} for t, r in found]


def disclosures(session: Session, person_id: str) -> list[dict[str, Any]]:
    """What was disclosed about the person, and the notices sent to recipients about them."""
    policy = policy_of(session)
    names = {k: p.name for k, p in policy.processors.items()}
    told = [
        {
            "recipient": names.get(d.recipient, d.recipient),
            "categories": json.loads(d.categories),
            "reason": d.reason,
            "at": d.at.isoformat(),
        }
        for d in session.scalars(
            select(Disclosure).where(Disclosure.person_id == person_id).order_by(Disclosure.at)
        )
    ]
    notices = [
        {
            "recipient": names.get(o.processor, o.processor),
            "categories": json.loads(o.categories),
            "reason": f"notice of {o.action}",
            "at": o.created_at.isoformat(),
            "delivered_at": o.delivered_at.isoformat() if o.delivered_at else None,
        }
        for o in session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.person_id == person_id)
            .order_by(OutboxMessage.created_at)
        )
    ]
    return told + notices


def _consents(session: Session, person_id: str) -> list[dict[str, Any]]:
    return [
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


class _Spill:
    """One category's values in the order they were read, read back for each file of the
    export. Held as they are up to SPOOL bytes (most people's exports never leave memory);
    past that written to a temporary file in the data directory, sealed part by part under a
    key that lives only in this process for this export."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._held: list[dict[str, Any]] = []
        self._size = 0
        self._file: IO[bytes] | None = None
        self._sealing: files.Sealing | None = None
        self._key = b""
        self._read = False

    def add(self, value: dict[str, Any]) -> None:
        if self._sealing is not None:
            self._sealing.write(json.dumps(value, default=str).encode() + b"\n")
            return
        self._held.append(value)
        self._size += len(str(value["value"])) + 200  # what a value and its keys take
        if self._size > SPOOL:
            self._spill()

    def _spill(self) -> None:
        key = self._key = AESGCM.generate_key(bit_length=256)
        self._file = tempfile.TemporaryFile(dir=self._folder)  # noqa: SIM115 (closed by close)
        self._sealing = files.Sealing(
            self._file, lambda data, part: crypto.encrypt(key, data, part), SPILL_PART
        )
        held, self._held = self._held, []
        for value in held:
            self.add(value)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self._file is None or self._sealing is None:
            yield from self._held
            return
        if not self._read:
            self._sealing.close()  # the last part
            self._read = True
        key, rest = self._key, b""
        self._file.seek(0)
        for part in files.parts(self._file, lambda data, n: crypto.decrypt(key, data, n)):
            *lines, rest = (rest + part).split(b"\n")
            for line in lines:
                yield json.loads(line)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def _document(
    session: Session, request: RightsRequest, person_id: str, spills: ExitStack, folder: Path
) -> dict[str, Any]:
    """The export's document: its values streamed into a spill per category (`_Spill`), the
    rest (consents, disclosures, requests, data use: a page's worth) held as they are."""
    policy = policy_of(session)
    held_back = review.withheld(session, request.id)
    skip = {(w.table, w.row_id) for w in held_back}
    categories: dict[str, dict[str, Any]] = {}
    for holding, row, how in rows(session, person_id):
        row_id = _plain(getattr(row, key_of(holding)))
        if (holding.name, str(row_id)) in skip:
            continue
        number = _plain(getattr(row, "number", None))  # a quote's or invoice's own number
        how_words = report.how_words(how)
        record = report.record_name(holding.name, row_id, number, how_words)
        for column, category, value in values(holding, row):
            key = resolve(policy, category) or category
            entry = categories.get(key)
            if entry is None:
                spill = _Spill(folder)
                spills.callback(spill.close)
                entry = categories[key] = {
                    "about": report.category_info(policy, key),
                    "values": spill,
                }
            entry["values"].add(
                {
                    "table": holding.name,
                    "row_id": row_id,
                    "column": column,
                    "category": category,
                    "value": value,
                    "as": how_words,
                    "record": record,
                }
            )
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
    controller = policy.controller
    return {
        "format": report.FORMAT,
        "generated_at": clock.now().isoformat(),
        "about": "Everything we hold about you, with what our staff wrote about you.",
        "reference": request.reference,
        "kind": request.kind,
        "person_id": person_id,
        "controller": {"name": controller.legal_name, "contact": controller.privacy_contact},
        "categories": dict(sorted(categories.items())),
        "consents": _consents(session, person_id),
        "disclosures": disclosures(session, person_id),
        "requests": requests,
        "mentioned_in": mentioned_in(session, person_id),
        "withheld": [{"what": w.kind, "reason": w.reason_words} for w in held_back],
        "data_use": [asdict(u) for u in data_use.summary(session, person_id)],
    }


def _write_json(out: io.TextIOBase, doc: dict[str, Any]) -> None:
    """export.json, its top-level keys in order; each category's values as they are read."""
    out.write("{")
    for n, key in enumerate(sorted(doc)):
        out.write(f"{', ' if n else ''}{json.dumps(key)}: ")
        if key != "categories":
            out.write(json.dumps(doc[key], sort_keys=True, default=str))
            continue
        out.write("{")
        for m, (name, category) in enumerate(doc["categories"].items()):
            about = json.dumps(category["about"], sort_keys=True)
            out.write(f'{", " if m else ""}\n{json.dumps(name)}: {{"about": {about}, "values": [')
            for i, value in enumerate(category["values"]):
                out.write(f"{',' if i else ''}\n  {json.dumps(value, sort_keys=True, default=str)}")
            out.write("]}")
        out.write("}")
    out.write("}\n")


def _write_zip(session: Session, doc: dict[str, Any], target: files.Sealing) -> None:
    policy = policy_of(session)
    zone = session.scalar(
        select(Account.time_zone).where(Account.person_id == doc["person_id"]).limit(1)
    )
    local = Local.of(policy.controller, zone)  # the dates as the person reads them
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:

        def entry(name: str) -> io.TextIOWrapper:
            return io.TextIOWrapper(archive.open(name, "w"), encoding="utf-8", newline="")

        with entry("export.json") as out:
            _write_json(out, doc)
        for key, category in doc["categories"].items():
            with entry(f"categories/{key}.csv") as out:
                report.write_csv(out, category["values"])
        with entry("data-use.json") as out:
            out.write(report.to_json({"items": doc["data_use"]}).decode())
        with entry("report.html") as out:
            for line in report.html_lines(doc, Words(policy), local):
                out.write(line + "\n")


def provided(session: Session, settings: Settings, person_id: str) -> dict[str, Any]:
    """What the person gave us (R5): rows they wrote (never staff replies, notes or call
    notes), in categories whose sources name them, their uploads and their choices."""
    policy = policy_of(session)
    mine = {
        column_category
        for holding in holdings()
        for column_category in holding.columns.values()
        if (key := resolve(policy, column_category)) is not None
        and any(_BY_YOU.search(s) for s in policy.categories[key].sources)
    }
    tables: dict[str, list[dict[str, Any]]] = {}
    for holding in holdings():
        where = provided_by(holding)
        if where is None or holding.name == "rights_requests":
            continue
        key = key_of(holding)
        query = select(holding.model).where(where(person_id)).execution_options(yield_per=500)
        for row in session.scalars(query):
            found = {column: value for column, _, value in values(holding, row, mine)}
            if not found:
                continue
            if holding.files and getattr(holding.model, "__files_portable__", False):
                owner = getattr(row, holding.owner)
                found |= _upload(session, settings, holding.files, owner, row)
            tables.setdefault(holding.name, []).append({"id": _plain(getattr(row, key)), **found})
    return {
        "format": report.PORTABLE_FORMAT,
        "generated_at": clock.now().isoformat(),
        "about": "What you gave us, in a machine-readable form.",
        "person_id": person_id,
        "records": dict(sorted(tables.items())),
        "consents": _consents(session, person_id),
    }


def _upload(
    session: Session, settings: Settings, kind: str, owner: str, row: Any
) -> dict[str, Any]:
    try:
        data = files.load(session, settings.files_dir, kind, row.id, owner)
    except NotFound:
        return {}
    return {"content_type": row.content_type, "content_base64": base64.b64encode(data).decode()}


def build(session: Session, settings: Settings, actor: Actor, request: RightsRequest) -> str:
    """Build the export, seal it on disk, and return its one download token (the caller
    commits). Access and know: a zip; portability: JSON."""
    person_id = request.person_id
    if person_id is None:
        raise Invalid("This request matched nobody: there is no data to export.")
    check(session, actor, RIGHTS, state_of(session, person_id), ["user"], action="export")
    if request.kind in ACCESS_KINDS:
        name, kind, content_type = f"{request.reference}.zip", "export", "application/zip"
    elif request.kind == "portability":
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
        size=0,
        token_hash=_hash(token),
        created_at=now,
        expires_at=policy_of(session).requests.download_expiry.after(now),
    )
    session.add(row)
    session.flush()
    folder = settings.files_dir / FILES
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (
        files.store_stream(session, settings.files_dir, FILES, row.id, request.id) as out,
        ExitStack() as spills,
    ):
        if kind == "export":
            _write_zip(session, _document(session, request, person_id, spills, folder), out)
        else:
            out.write(report.to_json(provided(session, settings, person_id)))
    row.size = out.written
    event(session, request, "export_built", actor, note=kind)
    return token


def _file(session: Session, token: str) -> RequestFile:
    row = session.scalar(select(RequestFile).where(RequestFile.token_hash == _hash(token)))
    if row is None:
        raise NotFound("There is no download for this token.")
    if row.expires_at is None or row.expires_at <= clock.now():
        raise Expired("This download has expired; ask again for a new export.")
    return row


def download(session: Session, settings: Settings, token: str) -> tuple[str, str, Iterator[bytes]]:
    """(filename, content type, its parts read from disk as they are sent) of an export,
    until it expires."""
    row = _file(session, token)
    parts = files.stream(session, settings.files_dir, FILES, row.id, row.request_id)
    row.downloaded_at = row.downloaded_at or clock.now()
    session.commit()
    return str(row.filename or "export"), row.content_type, parts


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
    try:
        with outbound.opener(settings).open(outgoing, timeout=15) as answer:
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
