"""Demo rights requests, so the privacy officer's queue at /dpo shows its states on a fresh
`make run`: an access request being handled, a correction due soon, an overdue restriction,
an inquiry, an erasure waiting out its grace, and a request nobody has confirmed yet.

Written straight to the tables like the rest of the demo load, each with the timeline the
services would have left. The unconfirmed one is waiting for a code, so a code is issued and
mailed to its address (through the mail server, if one answers: the demo goes on without),
as the intake would have done: the officer can resend it or record another check.
"""

import json
import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.core import clock
from steward.core.settings import Settings
from steward.demo.trades import trade_of
from steward.identity.models import Account, Person
from steward.policy.active import policy_of
from steward.policy.schema import Policy
from steward.rights.common import due_for, event, new_reference
from steward.rights.models import RightsRequest
from steward.rights.verify import mail_new_code

# (kind, status, received this many days ago, details)
REQUESTS = (
    ("access", "open", 3, None),
    ("rectification", "open", 12, "My company name is wrong on my invoices."),
    ("restriction", "open", 17, "I contest {contested}."),
    ("inquiry", "open", 1, "Do you share my data with anyone for advertising?"),
    ("erasure", "scheduled", 6, "Please delete my account; {leaving}."),
    ("access", "unverified", 2, None),
)


def load(session: Session, seed: int = 1, settings: Settings | None = None) -> int:
    """Add the demo requests, about customers who have no demo sign-in (so trying the demo
    accounts never meets a scheduled erasure of one's own); returns how many. With
    `settings`, the unconfirmed request's code is mailed. Commits."""
    policy = policy_of(session)
    trade = trade_of(policy)
    offered = {k for k, right in policy.rights.items() if right.offered} | {"inquiry"}
    with_accounts = select(Account.person_id)
    customers = list(
        session.scalars(
            select(Person)
            .where(
                Person.kind != "staff",
                Person.erased_at.is_(None),
                Person.email_index.is_not(None),
                Person.id.not_in(with_accounts),
            )
            .order_by(Person.id)
        )
    )
    if not customers:
        return 0
    chooser = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    made = 0
    waiting = []
    now = clock.now()
    for kind, status, days_ago, details in REQUESTS:
        if kind not in offered:
            continue
        person = chooser.choice(customers)
        received = now - timedelta(days=days_ago)
        channel, checked = _way_in(policy, kind)
        request = RightsRequest(
            reference=new_reference(),
            kind=kind,
            channel=channel,
            status=status,
            person_id=person.id if status != "unverified" else None,
            email=person.email,
            name=person.name,
            details=details.format(contested=trade.contested, leaving=trade.leaving)
            if details
            else None,
            corrections=json.dumps({"company": "Lovelace Engines Ltd"})
            if kind == "rectification"
            else None,
            received_at=received,
            confirmed_at=received,
            verified_at=None if status == "unverified" else received + timedelta(hours=2),
            verification=None if status == "unverified" else checked,
            due_at=due_for(policy, kind, received),
            lapses_at=policy.requests.unverified_lapse.after(received),
            scheduled_for=now + timedelta(days=1) if status == "scheduled" else None,
        )
        session.add(request)
        session.flush()
        event(session, request, "received", note=channel, at=received)
        event(session, request, "acknowledged", at=received)
        if request.verified_at is not None:
            event(session, request, "verified", note=checked, at=request.verified_at)
        if status == "scheduled":
            event(session, request, "erasure_scheduled", at=now - timedelta(days=6))
        if status == "unverified" and checked == "email_code":
            waiting.append(request)
        made += 1
    session.commit()
    for request in waiting:
        if settings is not None:
            mail_new_code(session, settings, request)
    return made


def _way_in(policy: Policy, kind: str) -> tuple[str, str]:
    """A channel the policy offers for the kind of request (the privacy center, else email,
    else its first), and how identity is checked for it (an emailed code where offered)."""
    right = next((r for k, r in policy.rights.items() if k == kind), None)
    channels = list(right.channels if right else policy.inquiries.channels)
    checks = list(right.verification) if right else ["email_code"]
    channel = next((c for c in ("privacy_center", "email") if c in channels), channels[0])
    return channel, "email_code" if "email_code" in checks else checks[0]
