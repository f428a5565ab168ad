"""The consent ledger: recording consent events, a person's or browser's current choices, their
history, what the access gate needs, and receipts (C2).

Every choice is an event: who (a person id or a banner's random browser id), what (a purpose
key or a cookie category name), given or withdrawn, how (banner, form, signal...), under which
policy version and with the SHA-256 of the exact text shown, when, and from which network
(the IP truncated to /24 or /48). Rows are only ever added; the current choice for a purpose
is its newest event. A receipt of an event follows ISO/IEC TS 27560.
"""

import ipaddress
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.access.people import consents_of
from steward.consent.models import METHODS, ConsentEvent
from steward.core import clock
from steward.core.errors import Invalid, NotFound
from steward.policy.active import policy_of
from steward.policy.schema import Policy

ESSENTIAL = "essential"
# What a Global Privacy Control signal withdraws (R10): measuring, advertising, and selling
# or sharing. A cookie category is covered by its name or by its purpose's first part.
SIGNAL_NAMES = frozenset({"analytics", "marketing"})
SIGNAL_PURPOSES = frozenset({"analytics", "marketing", "sale", "advertising"})
SALE = "sale"  # the CCPA opt-out of sale and sharing, recorded when a signal is honoured
RECEIPT_SCHEMA = "ISO/IEC TS 27560:2023"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def truncate_ip(ip: str | None) -> str | None:
    """The network an address is in, never the address: IPv4 /24, IPv6 /48. None for
    anything that is not an IP address (a test client, a Unix socket)."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    bits = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{bits}", strict=False))


def _newest(events: Iterable[ConsentEvent]) -> dict[str, ConsentEvent]:
    """The newest event per purpose, from events in ledger order (oldest first)."""
    newest: dict[str, ConsentEvent] = {}
    for event in events:
        newest[event.purpose] = event
    return newest


def _events(session: Session, owner: str) -> list[ConsentEvent]:
    query = (
        select(ConsentEvent)
        .where(ConsentEvent.owner_id == owner)
        .order_by(ConsentEvent.at, ConsentEvent.id)
    )
    return list(session.scalars(query))


def record(
    session: Session,
    *,
    owner: str,
    choices: Mapping[str, bool],
    method: str,
    policy_version: str,
    text_sha256: str,
    ip: str | None,
    person_id: str | None = None,
    browser_id: str | None = None,
    commit: bool = True,
) -> list[ConsentEvent]:
    """Record choices for an owner (a person id or a browser id): one event per purpose whose
    state changes, every purpose on the first record. A choice made again under another
    policy version or notice text is a change too: it is consent to something else.
    Returns the events added; commits unless told not to (the caller then commits)."""
    if method not in METHODS:
        raise Invalid(f"'{method}' is not a way of giving consent: use one of {METHODS}.")
    if not _SHA256.match(text_sha256):
        raise Invalid("text_sha256 must be the SHA-256 of the text shown, in lowercase hex.")
    current = _newest(_events(session, owner))
    at = clock.now()
    prefix = truncate_ip(ip)
    added = []
    for purpose, given in choices.items():
        choice = "given" if given else "withdrawn"
        last = current.get(purpose)
        if (
            last is not None
            and last.choice == choice
            and last.policy_version == policy_version
            and last.text_sha256 == text_sha256
        ):
            continue
        event = ConsentEvent(
            owner_id=owner,
            person_id=person_id,
            browser_id=browser_id,
            purpose=purpose,
            choice=choice,
            method=method,
            policy_version=policy_version,
            text_sha256=text_sha256,
            ip_prefix=prefix,
            at=at,
        )
        session.add(event)
        added.append(event)
    if commit:
        session.commit()
    else:
        session.flush()
    return added


def current(session: Session, owner: str) -> dict[str, bool]:
    """The owner's current choice per purpose: its newest event."""
    return {p: e.choice == "given" for p, e in _newest(_events(session, owner)).items()}


def owner_of(session: Session, event_id: str) -> tuple[str, str | None] | None:
    """Who an event belongs to: (owner id, person id), or None when there is no such event."""
    row = session.execute(
        select(ConsentEvent.owner_id, ConsentEvent.person_id).where(ConsentEvent.id == event_id)
    ).one_or_none()
    return (row.owner_id, row.person_id) if row is not None else None


def current_events(session: Session, owner: str) -> dict[str, ConsentEvent]:
    """The newest event per purpose, for answers that also give the policy version."""
    return _newest(_events(session, owner))


def history(
    session: Session, owner: str, *, offset: int = 0, limit: int | None = None
) -> list[ConsentEvent]:
    """Every event of the owner, newest first; or `limit` of them from `offset`."""
    query = (
        select(ConsentEvent)
        .where(ConsentEvent.owner_id == owner)
        .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc())
    )
    return list(session.scalars(query.offset(offset).limit(limit)))


def signal_withdraws(policy: Policy) -> list[str]:
    """The cookie categories a Global Privacy Control signal turns off, and the sale opt-out."""
    names = [
        name
        for name, category in policy.cookies.items()
        if name in SIGNAL_NAMES or (category.purpose or "").split(".")[0] in SIGNAL_PURPOSES
    ]
    return [*names, SALE]


def check_banner_choices(policy: Policy, choices: Mapping[str, bool]) -> None:
    """Refuse a category the policy does not declare, and essential cookies switched off."""
    unknown = sorted(set(choices) - set(policy.cookies))
    if unknown:
        raise Invalid(f"The policy declares no cookie category {', '.join(unknown)}.")
    if choices.get(ESSENTIAL) is False:
        raise Invalid("Essential cookies cannot be switched off.")


def banner_choice(
    session: Session,
    policy: Policy,
    *,
    browser_id: str,
    person_id: str | None,
    choices: Mapping[str, bool],
    policy_version: str,
    text_sha256: str,
    ip: str | None,
    signal: bool,
) -> dict[str, bool]:
    """Record what a browser's banner chose, for the signed-in person too; with a Global
    Privacy Control signal, what it covers is recorded as withdrawn by the signal whatever
    was clicked. Essential cookies need no consent and are not recorded. Returns the
    browser's current choice per cookie category, essential always on. Commits."""
    check_banner_choices(policy, choices)
    clicked = {name: given for name, given in choices.items() if name != ESSENTIAL}
    signalled: dict[str, bool] = {}
    if signal:
        covered = signal_withdraws(policy)
        signalled = dict.fromkeys(covered, False)
        clicked = {name: given for name, given in clicked.items() if name not in covered}
    owners: list[tuple[str, str | None]] = [(browser_id, None)]
    if person_id is not None:
        owners.append((person_id, person_id))
    for owner, person in owners:
        for method, part in (("banner", clicked), ("signal", signalled)):
            if part:
                record(
                    session,
                    owner=owner,
                    person_id=person,
                    browser_id=browser_id,
                    choices=part,
                    method=method,
                    policy_version=policy_version,
                    text_sha256=text_sha256,
                    ip=ip,
                    commit=False,
                )
    session.commit()
    return banner_state(session, policy, browser_id)[0]


def banner_state(
    session: Session, policy: Policy, browser_id: str
) -> tuple[dict[str, bool], str | None]:
    """A browser's current choice per cookie category of the policy (essential always on,
    categories never chosen left out), and the policy version of its newest choice."""
    newest = current_events(session, browser_id)
    choices: dict[str, bool] = {ESSENTIAL: True} if ESSENTIAL in policy.cookies else {}
    version = None
    latest: datetime | None = None
    for name in policy.cookies:
        event = newest.get(name)
        if event is None or name == ESSENTIAL:
            continue
        choices[name] = event.choice == "given"
        if latest is None or event.at >= latest:
            latest, version = event.at, event.policy_version
    return choices, version


def allows(session: Session, policy: Policy, browser_id: str, category: str) -> bool:
    """Whether the browser's current choice allows this cookie category."""
    if category == ESSENTIAL:
        return True
    event = current_events(session, browser_id).get(category)
    return event is not None and event.choice == "given"


def _controller(policy: Policy) -> dict[str, Any]:
    controller = policy.controller
    return {
        "piiController": controller.legal_name,
        "tradingName": controller.trading_name,
        "address": controller.address,
        "country": controller.country,
        "email": controller.email,
        "phone": controller.phone,
        "url": controller.website,
        "privacyContact": controller.privacy_contact,
    }


def _purpose(policy: Policy, event: ConsentEvent) -> dict[str, Any]:
    category = policy.cookies.get(event.purpose)  # type: ignore[call-overload]
    key = category.purpose if category is not None else event.purpose
    declared = policy.purposes.get(key) if key else None
    return {
        "purpose": event.purpose,
        "purposeKey": key,
        "description": (category.description if category else None)
        or (declared.description if declared else None),
        "lawfulBasis": declared.lawful_basis if declared else None,
        "consentStatus": event.choice,
        "method": event.method,
        "cookieCategory": event.purpose if category is not None else None,
    }


def receipt(session: Session, event_id: str, policy: Policy | None = None) -> dict[str, Any]:
    """The receipt of one consent event, in the structure of ISO/IEC TS 27560: the record,
    the principal, the notice (policy version and text hash), the purposes recorded in the
    same act (this event and those made with it) with their status, the method, the
    jurisdictions and the controller (from the active policy)."""
    policy = policy or policy_of(session)
    event = session.get(ConsentEvent, event_id)
    if event is None:
        raise NotFound("There is no such consent record.")
    same_act = select(ConsentEvent).where(
        ConsentEvent.owner_id == event.owner_id, ConsentEvent.at == event.at
    )
    events = sorted(session.scalars(same_act), key=lambda e: (e.id != event.id, e.purpose))
    return {
        "schemaVersion": RECEIPT_SCHEMA,
        "recordId": event.id,
        "piiPrincipalId": event.owner_id,
        "principalType": "person" if event.owner_id == event.person_id else "browser",
        "timestamp": event.at.isoformat().replace("+00:00", "Z"),
        "notice": {"policyVersion": event.policy_version, "textSha256": event.text_sha256},
        "purposes": [_purpose(policy, e) for e in events],
        "method": event.method,
        "ipPrefix": event.ip_prefix,
        "jurisdiction": list(policy.jurisdictions),
        "controller": _controller(policy),
    }


__all__ = ["consents_of"]  # the gate reads consents through access.people
