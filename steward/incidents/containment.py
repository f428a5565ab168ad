"""Containing a breach (X6, and T2 for the hold): each step does the real thing through the
domain's own service and is recorded on the incident's timeline and in the audit trail
(`timeline.note`):

- revoke every session of an account (identity.sessions),
- disable the account: sign-in refused (identity.admin),
- force a new password and a new MFA enrolment at the next sign-in (identity.reset),
- rotate the master keys (vault.rotation, as `steward keys rotate`),
- stop the outbox to a processor until resumed; its notices wait (rights.recipients),
- place a legal hold for the security investigation (retention.holds).

Only the privacy officer (or Steward itself) contains an incident: the gate's purpose
`incidents` decides, and a refusal is audited. What the timeline keeps is ids, counts and
keys, never personal data; an account is named by its id or its email address, which is
looked up through its blind index and not kept.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from steward.access.gate import INCIDENTS
from steward.core.actor import Actor
from steward.core.errors import Conflict, Invalid, NotFound
from steward.core.runtime import Runtime
from steward.identity import admin, reset
from steward.identity.common import gate, load_account, login_index
from steward.identity.models import Account
from steward.identity.sessions import end_all
from steward.incidents import register, timeline
from steward.policy.active import policy_of
from steward.policy.schema import Policy
from steward.retention import holds
from steward.rights import recipients
from steward.vault.rotation import rotate
from steward.vault.service import Vault

# A step's name (the API's path, the CLI's option) and the timeline kind it records.
STEPS = {
    "revoke-sessions": "contain.sessions",
    "disable-account": "contain.disable",
    "force-reset": "contain.reset",
    "rotate-keys": "contain.keys",
    "pause-processor": "contain.pause",
    "resume-processor": "contain.resume",
    "legal-hold": "contain.hold",
}
HOLD_SCOPES = ("person", "organisation", "category")
HOLD_REASON = "security_investigation"


@dataclass(frozen=True)
class Done:
    """A containment step as the timeline keeps it."""

    step: str  # a key of STEPS
    at: datetime
    actor_id: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class Containment:
    """What has been done to contain an incident, oldest first, and what stands now."""

    incident_id: str
    reference: str
    title: str
    status: str
    done: list[Done]
    paused: dict[str, datetime]  # processor key -> paused since (by any incident)
    processors: dict[str, str]  # the policy's processors to pick from: key -> name


def _account(session: Session, named: str) -> Account:
    """An account by its id or its email address (looked up by blind index)."""
    named = named.strip()
    if not named:
        raise Invalid("Name the account: its id or its email address.")
    if "@" in named:
        found = load_account(session, Account.login_index == login_index(session, named))
    else:
        found = load_account(session, Account.id == named)
    if found is None:
        raise NotFound("There is no such account.")
    return found


def _noted(session: Session, actor: Actor, incident_id: str, step: str, **detail: Any) -> Done:
    event = timeline.note(session, actor, incident_id, STEPS[step], **detail)
    session.commit()
    return Done(step, event.at, event.actor_id, json.loads(event.detail))


def revoke_sessions(session: Session, actor: Actor, incident_id: str, account: str) -> Done:
    """End every session of the account, in every browser and API client, at once."""
    register.get_open(session, actor, incident_id)
    found = _account(session, account)
    gate(session, actor, Account, found.person_id, [], action="end_sessions", purpose=INCIDENTS)
    ended = end_all(session, found.id)
    return _noted(session, actor, incident_id, "revoke-sessions", account=found.id, ended=ended)


def disable_account(session: Session, actor: Actor, incident_id: str, account: str) -> Done:
    """Disable the account (sign-in refused, sessions ended) until an admin enables it."""
    register.get_open(session, actor, incident_id)
    found = _account(session, account)
    if found.status == "disabled":
        raise Conflict("This account is already disabled.")
    ended = admin.disable(session, actor, found.id, purpose=INCIDENTS)
    return _noted(session, actor, incident_id, "disable-account", account=found.id, ended=ended)


def force_reset(session: Session, actor: Actor, incident_id: str, account: str) -> Done:
    """Force a new password and a new MFA enrolment: until both are done, the account can
    do nothing else; the old authenticator secret is forgotten."""
    register.get_open(session, actor, incident_id)
    found = _account(session, account)
    ended = reset.force(session, actor, found.id, purpose=INCIDENTS)
    return _noted(session, actor, incident_id, "force-reset", account=found.id, ended=ended)


def rotate_keys(
    session: Session, actor: Actor, incident_id: str, runtime: "Runtime[Vault, Policy]"
) -> Done:
    """Rotate the master key (as `steward keys rotate`): every data key is re-wrapped under
    a new one and the old one leaves the key file. Runs in transactions of its own."""
    register.get_open(session, actor, incident_id)
    session.commit()  # the rotation's own transactions must not wait for this one
    rotated = rotate(runtime.settings.key_file, runtime.sessions)
    return _noted(
        session,
        actor,
        incident_id,
        "rotate-keys",
        key_id=rotated.key_id,
        rewrapped=rotated.rewrapped,
    )


def pause_processor(session: Session, actor: Actor, incident_id: str, processor: str) -> Done:
    """Stop delivering notices to the processor until resumed; they wait, none is lost."""
    register.get_open(session, actor, incident_id)
    processor = processor.strip()
    waiting = recipients.pause(session, processor, actor.account_id, incident_id)
    return _noted(
        session, actor, incident_id, "pause-processor", processor=processor, waiting=waiting
    )


def resume_processor(session: Session, actor: Actor, incident_id: str, processor: str) -> Done:
    """Deliver to the processor again: what waited goes at the next run of the outbox."""
    register.get(session, actor, incident_id)  # a closed incident may still resume its pause
    processor = processor.strip()
    waiting = recipients.resume(session, processor)
    return _noted(
        session, actor, incident_id, "resume-processor", processor=processor, waiting=waiting
    )


def place_hold(
    session: Session,
    actor: Actor,
    incident_id: str,
    scope: str,
    target: str,
    ends_on: date | None = None,
) -> Done:
    """A legal hold for the security investigation (T2) on a person, an organisation or a
    category: retention and erasure leave what it covers until it is released."""
    register.get_open(session, actor, incident_id)
    if scope not in HOLD_SCOPES:
        raise Invalid(f"A hold for the investigation is on one of: {', '.join(HOLD_SCOPES)}.")
    placed = holds.place(session, actor, scope, target, HOLD_REASON, ends_on)
    return _noted(
        session,
        actor,
        incident_id,
        "legal-hold",
        hold=placed.id,
        scope=placed.scope,
        target=placed.target,
    )


def status(session: Session, actor: Actor, incident_id: str) -> Containment:
    """The containment steps taken on the incident and the processors paused now."""
    found = register.get(session, actor, incident_id)
    kinds = {kind: step for step, kind in STEPS.items()}
    done = [
        Done(kinds[e.kind], e.at, e.actor_id, json.loads(e.detail))
        for e in timeline.events(session, incident_id)
        if e.kind in kinds
    ]
    view = Containment(
        incident_id=found.id,
        reference=found.reference,
        title=found.title,
        status=found.status,
        done=done,
        paused={key: row.paused_at for key, row in recipients.paused(session).items()},
        processors={k: p.name for k, p in sorted(policy_of(session).processors.items())},
    )
    session.commit()
    return view


def take(
    session: Session,
    actor: Actor,
    incident_id: str,
    step: str,
    runtime: "Runtime[Vault, Policy]",
    *,
    account: str | None = None,
    processor: str | None = None,
    scope: str | None = None,
    target: str | None = None,
    ends_on: date | None = None,
) -> Done:
    """Take the step named `step` (a key of STEPS) with what it acts on: one entry point for
    the page, the API and the command line."""

    def given(value: str | None, what: str) -> str:
        if not value or not value.strip():
            raise Invalid(f"Name the {what} this step acts on.")
        return value

    if step not in STEPS:
        raise NotFound(f"There is no such step; the steps are: {', '.join(STEPS)}.")
    if step == "rotate-keys":
        return rotate_keys(session, actor, incident_id, runtime)
    if step == "legal-hold":
        return place_hold(
            session, actor, incident_id, given(scope, "scope"), given(target, "target"), ends_on
        )
    if step == "pause-processor":
        return pause_processor(session, actor, incident_id, given(processor, "processor"))
    if step == "resume-processor":
        return resume_processor(session, actor, incident_id, given(processor, "processor"))
    by_account = {
        "revoke-sessions": revoke_sessions,
        "disable-account": disable_account,
        "force-reset": force_reset,
    }
    return by_account[step](session, actor, incident_id, given(account, "account"))
