"""Demo data: a living service desk for an IT and equipment service business.

`load` writes organisations, people, accounts, tickets with conversations, calls with
recordings, remote sessions, devices with telemetry, service records, schedules, billing and
warranty claims straight through the models, spread over the last four years so that
retention has work to do. It is a bulk load by the operator, not anyone's use of personal
data: one audit entry (`demo_loaded`) records it instead of a gate check per row. Sealed
columns are encrypted at flush as everywhere else. Everything but ids, timestamps relative
to now, MFA secrets and the password follows from the seed.
"""

import io
import json
import math
import re
import secrets
import string
import struct
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any, NamedTuple

import pyotp
from faker import Faker
from sqlalchemy import select
from sqlalchemy.orm import Session

from steward.audit.service import record
from steward.core import clock
from steward.core.actor import SYSTEM
from steward.core.errors import Invalid
from steward.core.ids import new_id
from steward.desk import files
from steward.desk.demo_content import (
    ATTACHMENTS,
    CALL_NOTES,
    CANNED,
    CHANNEL_WEIGHTS,
    FOLLOW_UPS,
    LOCATIONS,
    MAKES,
    NOTES,
    PNG,
    PREFERRED_TIMES,
    PRIORITY_WEIGHTS,
    QUOTE_ITEMS,
    SERVICE_WORK,
    SYSTEMS,
    TOPICS,
    WARRANTY,
)
from steward.desk.models import (
    Attachment,
    Call,
    CallRecording,
    CannedReply,
    Device,
    Invoice,
    MaintenanceSchedule,
    Membership,
    Mention,
    Message,
    NotificationPreference,
    Organisation,
    Payment,
    Quote,
    RemoteSession,
    SavedView,
    ServiceRecord,
    Telemetry,
    Ticket,
    TicketEvent,
    WarrantyClaim,
)
from steward.identity import passwords
from steward.identity.common import vault_of
from steward.identity.models import Account, Person

DOMAIN = "demo.steward.test"  # .test is reserved: demo mail never reaches anyone
YEARS = 4
BATCH = 1000
ALPHANUMERIC = string.ascii_letters + string.digits  # of the fake processor tokens
PHASES = (
    "accounts",
    "organisations and people",
    "devices and telemetry",
    "tickets and messages",
    "calls and recordings",
    "remote sessions",
    "service records and schedules",
    "quotes, invoices and payments",
    "warranty claims and preferences",
)
STAFF_LOGINS = (
    ("admin", "admin"),
    ("agent", "agent"),
    ("agent", "agent2"),
    ("billing", "billing"),
    ("call_reviewer", "reviewer"),
    ("privacy_officer", "privacy"),
)
CUSTOMER_LOGINS = ("customer", "contact", "user")  # an individual, an organisation's contact
# and one of its end users


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    mfa_secret: str | None  # None for customers, and for accounts an earlier load made
    created: bool  # False: it existed already and keeps its password and secret


@dataclass(frozen=True)
class DemoResult:
    counts: dict[str, int]
    password: str | None  # of every account this load created; None when it created none
    accounts: list[DemoAccount]


def holds_tickets(session: Session) -> bool:
    return session.scalar(select(Ticket.id).limit(1)) is not None


def load(
    session: Session,
    files_dir: Path,
    *,
    people: int = 60,
    seed: int = 1,
    on_phase: Callable[[str], None] | None = None,
) -> DemoResult:
    """Fill the desk with about `people` customers' worth of data. Commits. Files written
    before a failure are removed again, so a failed load leaves nothing behind."""
    if people < 1:
        raise Invalid("Ask for at least 1 person.")
    builder = _Builder(session, files_dir, people, seed)
    try:
        result = builder.run(on_phase or (lambda _phase: None))
        session.commit()
    except BaseException:
        session.rollback()
        for kind, file_id in builder.stored:
            files.remove(files_dir, kind, file_id)
        raise
    return result


@dataclass(eq=False)
class _Person:
    id: str
    first: str
    name: str
    phone: str
    created_at: datetime
    org: "_Org | None" = None
    username: str = ""


@dataclass(eq=False)
class _Device:
    id: str
    type: str
    owner_id: str
    hostname: str
    ip: str
    created_at: datetime
    organisation_id: str | None
    person_id: str | None
    user: _Person | None = None


@dataclass(eq=False)
class _Org:
    id: str
    name: str
    domain: str
    created_at: datetime
    contacts: list[_Person] = field(default_factory=list)
    end_users: list[_Person] = field(default_factory=list)
    devices: list[_Device] = field(default_factory=list)


@dataclass(eq=False)
class _Ticket:
    id: int
    requester: _Person
    topic: int
    created_at: datetime
    channel: str
    agent: "_Staff | None"


class Said(NamedTuple):
    """One message of a generated conversation."""

    author_id: str
    visibility: str
    body: str
    at: datetime
    channel: str


@dataclass(frozen=True)
class _Staff:
    account_id: str
    person_id: str
    first: str | None  # None: an account an earlier load made, whose name stays sealed


class _Builder:
    """One load: the generated business kept as light records, written in batches."""

    def __init__(self, session: Session, files_dir: Path, people: int, seed: int) -> None:
        self.session = session
        self.files_dir = files_dir
        self.people = people
        self.rng = Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.now = clock.now()
        self.start = self.now - timedelta(days=365 * YEARS)
        self.counts: dict[str, int] = {}
        self.stored: list[tuple[str, str]] = []
        self.orgs: list[_Org] = []
        self.individuals: list[_Person] = []
        self.person_devices: dict[str, list[_Device]] = {}
        self.tickets: list[_Ticket] = []
        self.agents: list[_Staff] = []
        self.accounts: list[DemoAccount] = []
        self.password: str | None = None
        self.password_hash = ""

    def run(self, on_phase: Callable[[str], None]) -> DemoResult:
        steps = (
            self.staff,
            self.organisations,
            self.devices,
            self.tickets_and_messages,
            self.calls,
            self.remote_sessions,
            self.service,
            self.billing_records,
            self.claims_and_preferences,
        )
        for phase, step in zip(PHASES, steps, strict=True):
            on_phase(phase)
            step()
        record(
            self.session,
            SYSTEM,
            "demo_loaded",
            purpose="essential.service",
            categories=_categories(),
        )
        return DemoResult(counts=self.counts, password=self.password, accounts=self.accounts)

    # --- helpers ---------------------------------------------------------------------------

    def save(self, rows: Sequence[Any]) -> None:
        """Insert in batches; the session forgets each batch so flushes stay cheap."""
        for start in range(0, len(rows), BATCH):
            self.session.add_all(rows[start : start + BATCH])
            self.session.flush()
            self.session.expunge_all()
        for row in rows:
            table = type(row).__tablename__
            self.counts[table] = self.counts.get(table, 0) + 1

    def store(self, kind: str, file_id: str, owner_id: str, data: bytes) -> None:
        files.store(self.session, self.files_dir, kind, file_id, owner_id, data)
        self.stored.append((kind, file_id))

    def between(self, earliest: datetime, latest: datetime) -> datetime:
        span = max((latest - earliest).total_seconds(), 0.0)
        return earliest + timedelta(seconds=self.rng.uniform(0, span))

    def pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def phone(self) -> str:
        area = self.rng.choice(("713", "281", "832", "346"))  # Houston; 555 numbers are fictional
        return f"+1 {area}-555-{self.rng.randint(0, 9999):04d}"

    def serial(self) -> str:
        letters = "".join(self.rng.choices("ABCDEFGHJKLMNPRSTUVWXYZ", k=3))
        return f"{letters}{self.rng.randint(10, 99)}K{self.rng.randint(10000, 99999)}"

    def mac(self) -> str:
        return ":".join(f"{self.rng.randint(0, 255):02X}" for _ in range(6))

    def agent(self) -> _Staff:
        return self.rng.choice(self.agents)

    def hashed_password(self) -> str:
        """One password for every account of this load, hashed once (argon2 is slow on
        purpose); made only when the load creates an account."""
        if self.password is None:
            self.password = f"demo-{secrets.token_urlsafe(12)}"
            passwords.check(self.password)
            self.password_hash = passwords.hash_password(self.password)
        return self.password_hash

    # --- accounts --------------------------------------------------------------------------

    def staff(self) -> None:
        """The demo staff; accounts an earlier load made are reused as they are."""
        vault = vault_of(self.session)
        wanted = [(role, f"{login}@{DOMAIN}") for role, login in STAFF_LOGINS]
        existing = {
            row.login_index: row
            for row in self.session.execute(
                select(Account.id, Account.person_id, Account.role, Account.login_index).where(
                    Account.login_index.in_([vault.blind_index("login", e) for _, e in wanted])
                )
            )
        }
        people: list[Person] = []
        accounts: list[Account] = []
        for role, email in wanted:
            first = self.fake.first_name()
            name = f"{first} {self.fake.last_name()}"
            found = existing.get(vault.blind_index("login", email))
            if found is not None:
                staff = _Staff(found.id, found.person_id, None)
                self.accounts.append(DemoAccount(found.role, email, None, created=False))
            else:
                secret = pyotp.random_base32()
                person, account = self.staff_account(role, email, name, secret)
                people.append(person)
                accounts.append(account)
                staff = _Staff(account.id, person.id, first)
                self.accounts.append(DemoAccount(role, email, secret, created=True))
            if role in ("agent", "admin"):
                self.agents.append(staff)
        self.save(people)
        self.save(accounts)
        self.save(
            [
                SavedView(
                    account_id=staff.account_id,
                    name=name,
                    filters=json.dumps(filters, sort_keys=True),
                    created_at=self.start,
                )
                for staff in self.agents
                for name, filters in (
                    ("My open tickets", {"assignee_id": "me", "status": "open"}),
                    ("Unassigned", {"assignee_id": "none"}),
                    ("Urgent", {"priority": "urgent"}),
                )
            ]
        )
        self.save([CannedReply(title=t, body=b, created_at=self.start) for t, b in CANNED])

    def staff_account(
        self, role: str, email: str, name: str, secret: str
    ) -> tuple[Person, Account]:
        """A staff member who can sign in at once: email proven, MFA already enrolled."""
        vault, at = vault_of(self.session), self.start
        person = Person(
            id=new_id(),
            kind="staff",
            name=name,
            email=email,
            email_index=vault.blind_index("email", email),
            created_at=at,
            updated_at=at,
        )
        account = Account(
            id=new_id(),
            person_id=person.id,
            login_index=vault.blind_index("login", email),
            role=role,
            status="active",
            password_hash=self.hashed_password(),
            mfa_secret=secret,
            mfa_enabled_at=at,
            email_verified_at=at,
            created_at=at,
        )
        return person, account

    # --- organisations and people ----------------------------------------------------------

    def organisations(self) -> None:
        n_orgs = max(1, self.people // 6)
        n_individuals = self.people // 6
        latest = self.now - timedelta(days=90)
        for i in range(n_orgs):
            name = self.fake.unique.company()
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            created = self.start + timedelta(days=3) if i == 0 else self.between(self.start, latest)
            self.orgs.append(_Org(new_id(), name, f"{slug}.example", created))
        members = self.people - n_individuals
        for i in range(members):
            org = self.orgs[i] if i < n_orgs else self.rng.choice(self.orgs)
            contact = i < n_orgs or (len(org.contacts) < 2 and self.rng.random() < 0.2)
            if contact:
                created = org.created_at + timedelta(days=self.rng.uniform(0, 20))
            else:
                created = self.between(
                    org.created_at, org.created_at + (self.now - org.created_at) * 0.7
                )
            person = self.person(created, org)
            (org.contacts if contact else org.end_users).append(person)
        for _ in range(n_individuals):
            self.individuals.append(self.person(self.between(self.start, latest)))
        self.save(
            [
                Organisation(id=o.id, name=o.name, domain=o.domain, created_at=o.created_at)
                for o in self.orgs
            ]
        )
        rows: list[Person] = []
        memberships: list[Membership] = []
        logins = self.customer_logins()
        for org in self.orgs:
            for kind, group in (("contact", org.contacts), ("end_user", org.end_users)):
                for p in group:
                    email = logins.get(p.id) or f"{p.username}@{org.domain}"
                    person_kind = "business_contact" if kind == "contact" else "end_user"
                    rows.append(self.person_row(p, person_kind, email, org.name))
                    memberships.append(
                        Membership(
                            organisation_id=org.id,
                            person_id=p.id,
                            kind=kind,
                            job_title=self.fake.job()[:80] if kind == "contact" else None,
                            created_at=p.created_at,
                        )
                    )
        for p in self.individuals:
            email = logins.get(p.id) or f"{p.username}@example.com"
            rows.append(self.person_row(p, "customer", email, None))
        self.save(rows)
        self.save(memberships)
        self.customer_accounts(logins)

    def person(self, created: datetime, org: _Org | None = None) -> _Person:
        first, last = self.fake.first_name(), self.fake.last_name()
        username = re.sub(r"[^a-z]", "", f"{first[0]}{last}".lower()) or "user"
        return _Person(new_id(), first, f"{first} {last}", self.phone(), created, org, username)

    def person_row(self, p: _Person, kind: str, email: str, company: str | None) -> Person:
        return Person(
            id=p.id,
            kind=kind,
            name=p.name,
            email=email,
            phone=p.phone,
            company=company,
            email_index=vault_of(self.session).blind_index("email", email),
            created_at=p.created_at,
            updated_at=p.created_at,
        )

    def customer_logins(self) -> dict[str, str]:
        """Which generated people get the demo's customer sign-ins (person id -> email)."""
        first_org = self.orgs[0]
        candidates = (
            self.individuals[:1],
            first_org.contacts[:1],
            next((o.end_users[:1] for o in self.orgs if o.end_users), []),
        )
        vault = vault_of(self.session)
        emails = [f"{login}@{DOMAIN}" for login in CUSTOMER_LOGINS]
        taken = set(
            self.session.scalars(
                select(Account.login_index).where(
                    Account.login_index.in_([vault.blind_index("login", e) for e in emails])
                )
            )
        )
        logins: dict[str, str] = {}
        for group, email in zip(candidates, emails, strict=True):
            if group and vault.blind_index("login", email) not in taken:
                logins[group[0].id] = email
            elif vault.blind_index("login", email) in taken:
                self.accounts.append(DemoAccount("customer", email, None, created=False))
        return logins

    def customer_accounts(self, logins: dict[str, str]) -> None:
        vault = vault_of(self.session)
        accounts = []
        for person_id, email in logins.items():
            created = self.between(self.start, self.now - timedelta(days=400))
            accounts.append(
                Account(
                    person_id=person_id,
                    login_index=vault.blind_index("login", email),
                    role="customer",
                    status="active",
                    password_hash=self.hashed_password(),
                    email_verified_at=created,
                    created_at=created,
                )
            )
            self.accounts.append(DemoAccount("customer", email, None, created=True))
        self.save(accounts)

    # --- devices ---------------------------------------------------------------------------

    def devices(self) -> None:
        devices: list[Device] = []
        readings: list[Telemetry] = []
        for org in self.orgs:
            counts = {
                "generator": 1 if self.rng.random() < 0.6 else 0,
                "printer": self.rng.randint(1, 3),
                "workstation": self.rng.randint(1, 4),
                "server": self.rng.randint(0, 2),
                "network_device": self.rng.randint(1, 2),
            }
            for kind, n in counts.items():
                for _ in range(n):
                    user = None
                    if kind == "workstation" and org.end_users:
                        user = self.rng.choice(org.end_users)
                    org.devices.append(self.device(kind, org.id, org, None, user))
        for p in self.individuals:
            mine = [self.device("workstation", p.id, None, p, p)] if self.rng.random() < 0.6 else []
            if self.rng.random() < 0.3:
                mine.append(self.device("printer", p.id, None, p, p))
            self.person_devices[p.id] = mine
        everything = [d for o in self.orgs for d in o.devices] + [
            d for ds in self.person_devices.values() for d in ds
        ]
        for d in everything:
            make, model = self.rng.choice(MAKES[d.type])
            config = {
                "location": self.rng.choice(LOCATIONS),
                "warranty_years": self.rng.choice((1, 3, 5)),
            }
            if d.type == "generator":
                config |= {
                    "fuel": self.rng.choice(("natural gas", "propane", "diesel")),
                    "transfer_switch": "automatic",
                }
            devices.append(
                Device(
                    id=d.id,
                    owner_id=d.owner_id,
                    organisation_id=d.organisation_id,
                    person_id=d.person_id,
                    assigned_to_id=d.user.id if d.user else None,
                    type=d.type,
                    make=make,
                    model=model,
                    serial_number=self.serial(),
                    ip_address=d.ip,
                    mac_address=self.mac(),
                    hostname=d.hostname,
                    operating_system=self.rng.choice(SYSTEMS.get(d.type, ("",))) or None,
                    configuration=json.dumps(config),
                    created_at=d.created_at,
                )
            )
            readings.extend(self.telemetry(d))
        self.save(devices)
        self.save(readings)

    def device(
        self,
        kind: str,
        owner_id: str,
        org: _Org | None,
        person: _Person | None,
        user: _Person | None,
    ) -> _Device:
        since = org.created_at if org else person.created_at if person else self.start
        prefix = {"printer": "PRN", "generator": "GEN", "workstation": "WS", "server": "SRV"}.get(
            kind, "NET"
        )
        hostname = f"{prefix}-{self.rng.randint(1, 250):03d}"
        ip = f"192.168.{self.rng.randint(0, 20)}.{self.rng.randint(2, 254)}"
        return _Device(
            new_id(),
            kind,
            owner_id,
            hostname,
            ip,
            since + timedelta(days=self.rng.uniform(0, 30)),
            org.id if org else None,
            person.id if person else None,
            user,
        )

    def telemetry(self, d: _Device) -> list[Telemetry]:
        """Readings spread evenly over the device's life, so the oldest are years old."""
        n = self.rng.randint(4, 10)
        span = (self.now - d.created_at) / n
        rows = []
        for i in range(n):
            at = d.created_at + span * i + span * self.rng.random()
            row = Telemetry(device_id=d.id, owner_id=d.owner_id, recorded_at=at)
            if d.type == "generator":
                row.kind = "runtime"
                row.runtime = (
                    f"engine_hours={40 * (i + 1) + self.rng.randint(0, 30)} "
                    f"load_pct={self.rng.randint(0, 85)} fuel_pct={self.rng.randint(35, 100)} "
                    f"battery_v={self.rng.uniform(12.1, 13.8):.1f} "
                    f"state={self.rng.choice(('standby', 'exercising', 'running on utility outage'))}"
                )
            elif d.type == "printer":
                row.kind = "print_job"
                user = d.user.username if d.user else self.fake.user_name()
                row.print_job = (
                    f"job={self.rng.randint(1000, 99999)} pages={self.rng.randint(1, 120)} "
                    f"colour={self.rng.choice(('yes', 'no'))} duplex={self.rng.choice(('yes', 'no'))} "
                    f'user={user} document="{self.fake.word()}.pdf"'
                )
            else:
                row.kind = "diagnostic"
                row.diagnostic = self.rng.choice(
                    (
                        f"WARN disk C: {self.rng.randint(85, 98)}% used",
                        f"ERROR VPN tunnel to 203.0.113.{self.rng.randint(1, 254)} dropped (IKE timeout)",
                        "INFO Windows Update installed, restart pending",
                        f"WARN SMART reallocated sectors={self.rng.randint(1, 40)} on disk 0",
                        "ERROR backup job 'Nightly' failed: target unreachable",
                        f"INFO uptime {self.rng.randint(1, 200)} days, CPU {self.rng.randint(3, 60)}%",
                    )
                )
            rows.append(row)
        return rows

    # --- tickets and messages --------------------------------------------------------------

    def requester(self) -> tuple[_Person, _Person | None]:
        """Someone who asks for help, and the end user it is about when a contact asks."""
        if self.individuals and self.rng.random() < 0.2:
            return self.rng.choice(self.individuals), None
        org = self.rng.choice(self.orgs)
        if org.end_users and self.rng.random() < 0.4:
            return self.rng.choice(org.end_users), None
        contact = self.rng.choice(org.contacts)
        about = (
            self.rng.choice(org.end_users) if org.end_users and self.rng.random() < 0.3 else None
        )
        return contact, about

    def tickets_and_messages(self) -> None:
        planned = []
        for _ in range(3 * self.people):
            person, about = self.requester()
            topic = self.rng.randrange(len(TOPICS))
            earliest = person.created_at
            if self.rng.random() < 0.1:  # a queue with work in it: some tickets are fresh
                earliest = max(earliest, self.now - timedelta(days=21))
            created = self.between(earliest, self.now - timedelta(hours=1))
            channel = self.pick(CHANNEL_WEIGHTS)
            priority = self.pick(PRIORITY_WEIGHTS)
            if TOPICS[topic][0] == "generator" and priority in ("low", "normal"):
                priority = "high"
            agent = self.agent()
            conversation = self.conversation(person, agent, topic, channel, created)
            age = self.now - created
            last = conversation[-1].at
            if len(conversation) == 1 and age < timedelta(days=14):
                status = "new"
            elif age > timedelta(days=21):
                status = "closed" if self.rng.random() < 0.85 else "resolved"
            else:
                status = self.rng.choice(("open", "waiting_on_customer", "resolved"))
            ticket = Ticket(
                requester_id=person.id,
                about_id=about.id if about else None,
                organisation_id=person.org.id if person.org else None,
                assignee_id=None if status == "new" else agent.account_id,
                channel=channel,
                status=status,
                priority=priority,
                subject=TOPICS[topic][1],
                created_at=created,
                updated_at=last,
                last_activity_at=last,
                resolved_at=last if status in ("resolved", "closed") else None,
                closed_at=min(last + timedelta(days=7), self.now) if status == "closed" else None,
            )
            planned.append((ticket, (person, about, topic, agent, conversation)))
        planned.sort(key=lambda pair: pair[0].created_at)  # ticket numbers follow time
        tickets = [ticket for ticket, _plan in planned]
        plans = [plan for _ticket, plan in planned]
        self.save(tickets)
        messages: list[Message] = []
        events: list[TicketEvent] = []
        mentions: list[Mention] = []
        attachments: list[Attachment] = []
        for ticket, (person, about, topic, agent, conversation) in zip(tickets, plans, strict=True):
            self.tickets.append(
                _Ticket(ticket.id, person, topic, ticket.created_at, ticket.channel, agent)
            )
            if about is not None:
                mentions.append(
                    Mention(
                        person_id=about.id,
                        source_table="tickets",
                        row_id=str(ticket.id),
                        created_at=ticket.created_at,
                    )
                )
            for author, visibility, body, at, channel in conversation:
                message = Message(
                    id=new_id(),
                    ticket_id=ticket.id,
                    owner_id=person.id,
                    author_id=author,
                    visibility=visibility,
                    channel=channel,
                    body=body,
                    created_at=at,
                )
                messages.append(message)
                if author == person.id and self.rng.random() < 0.12:
                    attachments.append(self.attachment(message))
            events.extend(self.events(ticket, agent, conversation))
        self.save(messages)
        self.save(attachments)
        self.save(events)
        self.save(mentions)

    def conversation(
        self, person: _Person, agent: _Staff, topic: int, channel: str, created: datetime
    ) -> list[Said]:
        """1-6 messages: the request (logged by the agent when it came by phone), then
        replies, follow-ups and internal notes, minutes to a day or so apart."""
        _type, _subject, opening, reply, follow_up, note, closing = TOPICS[topic]
        opening = opening.format(first=person.first, place=self.rng.choice(LOCATIONS))
        sign = f"\n\n{agent.first}" if agent.first else ""
        if channel == "phone":
            said = [
                Said(
                    agent.person_id,
                    "public",
                    f"Call from {person.first}: {opening}",
                    created,
                    channel,
                )
            ]
        else:
            said = [Said(person.id, "public", f"{opening}\n\n{person.first}", created, channel)]
        later = [
            (agent.person_id, "public", reply.format(first=person.first) + sign),
            (person.id, "public", self.rng.choice((follow_up, *FOLLOW_UPS))),
            (agent.person_id, "internal", self.rng.choice((note, *NOTES))),
            (agent.person_id, "public", closing + sign),
        ]
        n = self.rng.randint(1, 6)
        plan = later[: n - 1]
        if n == 6:
            plan.insert(2, (agent.person_id, "internal", self.rng.choice(NOTES)))
        at = created
        reply_channel = channel if channel in ("chat", "email") else "web"
        for author, visibility, body in plan:
            at += timedelta(minutes=self.rng.uniform(5, 8 if channel == "chat" else 60 * 30))
            if at >= self.now:
                break
            said.append(Said(author, visibility, body, at, reply_channel))
        return said

    def events(self, ticket: Ticket, agent: _Staff, conversation: list[Said]) -> list[TicketEvent]:
        if ticket.status == "new":
            return []
        at = (
            conversation[1].at
            if len(conversation) > 1
            else ticket.created_at + timedelta(minutes=20)
        )
        steps = [("assignee", None, agent.account_id, at), ("status", "new", "open", at)]
        previous = "open"
        if ticket.status == "waiting_on_customer":
            steps.append(("status", "open", "waiting_on_customer", ticket.last_activity_at))
        if ticket.status in ("resolved", "closed"):
            steps.append(("status", "open", "resolved", ticket.last_activity_at))
            previous = "resolved"
        if ticket.status == "closed" and ticket.closed_at is not None:
            steps.append(("status", previous, "closed", ticket.closed_at))
        return [
            TicketEvent(ticket_id=ticket.id, actor_id=agent.account_id, field=f, old=o, new=n, at=t)
            for f, o, n, t in steps
        ]

    def attachment(self, message: Message) -> Attachment:
        filename, content_type = self.rng.choice(ATTACHMENTS)
        data = (
            PNG
            if content_type == "image/png"
            else (
                f"{message.created_at:%Y-%m-%d %H:%M:%S} ERROR Spooler: job stalled\n"
                f"{message.created_at:%Y-%m-%d %H:%M:%S} INFO Service restarted\n"
            ).encode()
        )
        attachment = Attachment(
            id=new_id(),
            message_id=message.id,
            ticket_id=message.ticket_id,
            owner_id=message.owner_id,
            filename=filename,
            content_type=content_type,
            size=len(data),
            created_at=message.created_at,
        )
        self.store("attachments", attachment.id, attachment.owner_id, data)
        return attachment

    # --- calls and remote sessions ---------------------------------------------------------

    def calls(self) -> None:
        audio = _tone()
        calls: list[Call] = []
        recordings: list[CallRecording] = []
        phoned = [t for t in self.tickets if t.channel == "phone"]
        extra = max(self.people - len(phoned), 0)
        plans: list[tuple[_Person, int | None, datetime, _Staff | None]]
        plans = [(t.requester, t.id, t.created_at, t.agent) for t in phoned]
        for _ in range(extra):
            person, _about = self.requester()
            at = self.between(person.created_at, self.now - timedelta(minutes=30))
            plans.append((person, None, at, self.agent()))
        for person, ticket_id, at, agent in plans:
            duration = self.rng.randint(30, 1500)
            noticed = self.rng.random() < 0.75
            call = Call(
                id=new_id(),
                person_id=person.id,
                ticket_id=ticket_id,
                agent_id=agent.account_id if agent else None,
                number=person.phone,
                direction="inbound" if ticket_id or self.rng.random() < 0.7 else "outbound",
                started_at=at,
                duration_seconds=duration,
                recording_notice_played=noticed,
                notes=self.rng.choice(CALL_NOTES),
            )
            calls.append(call)
            if noticed:
                recording = CallRecording(
                    id=new_id(),
                    call_id=call.id,
                    owner_id=person.id,
                    content_type="audio/wav",
                    size=len(audio),
                    filename=f"call-{at:%Y%m%d-%H%M}.wav",
                    created_at=at + timedelta(seconds=duration),
                )
                self.store("recordings", recording.id, person.id, audio)
                recordings.append(recording)
        self.save(calls)
        self.save(recordings)

    def remote_sessions(self) -> None:
        rows: list[RemoteSession] = []
        for t in self.tickets:
            if (
                TOPICS[t.topic][0] not in ("workstation", "network_device", "server")
                or self.rng.random() < 0.4
            ):
                continue
            person = t.requester
            owned = person.org.devices if person.org else self.person_devices.get(person.id, [])
            device = next((d for d in owned if d.user is person), None) or (
                owned[0] if owned else None
            )
            kind = self.rng.choice(("hostname", "ip", "username", "alias"))
            identifier = {
                "hostname": device.hostname if device else f"{person.username.upper()}-PC",
                "ip": device.ip
                if device
                else f"10.0.{self.rng.randint(0, 9)}.{self.rng.randint(2, 254)}",
                "username": person.username,
                "alias": f"{person.first}'s computer",
            }[kind]
            started = t.created_at + timedelta(minutes=self.rng.uniform(20, 240))
            if started >= self.now:
                continue
            technician = t.agent or self.agent()
            rows.append(
                RemoteSession(
                    person_id=person.id,
                    ticket_id=t.id,
                    technician_id=technician.account_id,
                    consent_recorded_at=started - timedelta(minutes=self.rng.uniform(1, 3)),
                    identifier_kind=kind,
                    identifier=identifier,
                    started_at=started,
                    ended_at=min(started + timedelta(minutes=self.rng.uniform(5, 90)), self.now),
                )
            )
        self.save(rows)

    # --- service records and schedules -----------------------------------------------------

    def service(self) -> None:
        records: list[ServiceRecord] = []
        schedules: list[MaintenanceSchedule] = []
        today = self.now.date()
        owners = [(o.id, None, o.devices) for o in self.orgs] + [
            (None, p.id, self.person_devices.get(p.id, [])) for p in self.individuals
        ]
        for org_id, person_id, devices in owners:
            for d in devices:
                interval = {"generator": 180, "printer": 90, "server": 365}.get(d.type)
                visits = self.visits(d, interval)
                for day in visits:
                    records.append(
                        ServiceRecord(
                            owner_id=d.owner_id,
                            organisation_id=org_id,
                            person_id=person_id,
                            device_id=d.id,
                            technician_id=self.agent().account_id,
                            visited_on=day,
                            work_done=self.rng.choice(SERVICE_WORK[d.type]),
                            next_due_on=day + timedelta(days=interval) if interval else None,
                            created_at=_moment(day, self.now),
                        )
                    )
                if interval:
                    last = visits[-1] if visits else d.created_at.date()
                    schedules.append(
                        MaintenanceSchedule(
                            device_id=d.id,
                            owner_id=d.owner_id,
                            interval_days=interval,
                            next_due_on=max(
                                last + timedelta(days=interval), today - timedelta(days=30)
                            ),
                            preferred_times=self.rng.choice(PREFERRED_TIMES)
                            if self.rng.random() < 0.7
                            else None,
                            created_at=d.created_at,
                        )
                    )
        self.save(records)
        self.save(schedules)

    def visits(self, d: _Device, interval: int | None) -> list[date]:
        """Regular visits for equipment under a plan; an odd repair for the rest."""
        if interval is None:
            if self.rng.random() < 0.3:
                return [self.between(d.created_at, self.now).date()]
            return []
        days: list[date] = []
        day = d.created_at.date() + timedelta(days=interval)
        while day <= self.now.date() and (d.type == "generator" or self.rng.random() < 0.5):
            days.append(day)
            day += timedelta(days=interval + self.rng.randint(-10, 10))
        return days

    # --- billing ---------------------------------------------------------------------------

    def customer(self) -> tuple[_Person, str | None]:
        """Who is billed: an organisation's contact, or an individual customer."""
        if self.individuals and self.rng.random() < 0.25:
            return self.rng.choice(self.individuals), None
        org = self.rng.choice(self.orgs)
        return self.rng.choice(org.contacts), org.id

    def billing_records(self) -> None:
        quotes: list[Quote] = []
        invoices: list[Invoice] = []
        payments: list[Payment] = []
        taken = set(self.session.scalars(select(Quote.number))) | set(
            self.session.scalars(select(Invoice.number))
        )
        for _ in range(max(1, self.people // 3)):
            person, org_id = self.customer()
            created = self.between(person.created_at, self.now - timedelta(days=1))
            lines, total = self.lines()
            age = (self.now - created).days
            status = (
                self.rng.choice(("accepted", "accepted", "declined"))
                if age > 30
                else self.rng.choice(("draft", "sent"))
            )
            quote = Quote(
                id=new_id(),
                number="",
                person_id=person.id,
                organisation_id=org_id,
                status=status,
                currency="USD",
                total_cents=total,
                lines=lines,
                valid_until=created.date() + timedelta(days=30),
                created_at=created,
            )
            quotes.append(quote)
            if status == "accepted":
                invoices.append(self.invoice(person, org_id, created + timedelta(days=3), quote))
        for _ in range(max(1, self.people // 2) - len(invoices)):
            person, org_id = self.customer()
            invoices.append(
                self.invoice(person, org_id, self.between(person.created_at, self.now), None)
            )
        for rows, prefix in ((quotes, "Q"), (invoices, "I")):
            rows.sort(key=lambda row: row.created_at)
            for row in rows:
                row.number = self.number(prefix, row.created_at, taken)
        for invoice in invoices:
            paid_at = datetime.combine(
                invoice.issued_on, datetime.min.time(), self.now.tzinfo
            ) + timedelta(days=self.rng.uniform(1, 30))
            if invoice.status == "paid" and paid_at < self.now:
                payments.append(
                    Payment(
                        invoice_id=invoice.id,
                        person_id=invoice.person_id,
                        processor="stripe",
                        token="pm_" + "".join(self.rng.choices(ALPHANUMERIC, k=24)),
                        card_last4=f"{self.rng.randint(0, 9999):04d}",
                        amount_cents=invoice.total_cents,
                        currency=invoice.currency,
                        paid_at=paid_at,
                    )
                )
            elif invoice.status == "paid":
                invoice.status = "issued"
        self.save(quotes)
        self.save(invoices)
        self.save(payments)

    def lines(self) -> tuple[str, int]:
        """JSON lines of a quote or invoice, and their total in cents."""
        lines, total = [], 0
        for description, unit_cents in self.rng.sample(QUOTE_ITEMS, self.rng.randint(1, 3)):
            quantity = self.rng.randint(1, 3)
            lines.append(
                {"description": description, "quantity": quantity, "unit_cents": unit_cents}
            )
            total += quantity * unit_cents
        return json.dumps(lines), total

    def number(self, prefix: str, at: datetime, taken: set[str]) -> str:
        n = 1
        while (candidate := f"{prefix}-{at.year}-{n:04d}") in taken:
            n += 1
        taken.add(candidate)
        return candidate

    def invoice(
        self, person: _Person, org_id: str | None, at: datetime, quote: Quote | None
    ) -> Invoice:
        at = min(at, self.now)
        lines, total = (quote.lines, quote.total_cents) if quote else self.lines()
        age = (self.now - at).days
        status = "paid" if age > 45 or self.rng.random() < 0.5 else "issued"
        if self.rng.random() < 0.03:
            status = "void"
        return Invoice(
            id=new_id(),
            number="",
            person_id=person.id,
            organisation_id=org_id,
            quote_id=quote.id if quote else None,
            status=status,
            currency="USD",
            total_cents=total,
            lines=lines,
            billing_address=self.fake.address().replace("\n", ", "),
            issued_on=at.date(),
            due_on=at.date() + timedelta(days=30),
            created_at=at,
        )

    # --- warranty claims and preferences ---------------------------------------------------

    def claims_and_preferences(self) -> None:
        claims: list[WarrantyClaim] = []
        for _ in range(max(1, self.people // 10)):
            person, org_id = self.customer()
            owned = (
                next((o.devices for o in self.orgs if o.id == org_id), None)
                if org_id
                else self.person_devices.get(person.id)
            )
            device = self.rng.choice(owned) if owned else None
            created = self.between(device.created_at if device else person.created_at, self.now)
            age = (self.now - created).days
            claims.append(
                WarrantyClaim(
                    person_id=person.id,
                    device_id=device.id if device else None,
                    status=self.rng.choice(("approved", "rejected", "settled"))
                    if age > 30
                    else "filed",
                    description=self.rng.choice(WARRANTY),
                    created_at=created,
                )
            )
        self.save(claims)
        everyone = [p for o in self.orgs for p in (*o.contacts, *o.end_users)] + self.individuals
        self.save(
            [
                NotificationPreference(
                    person_id=p.id,
                    ticket_updates=True,
                    service_messages=True,
                    maintenance_alerts=self.rng.random() < 0.7,
                    marketing=False,  # marketing needs consent, which the demo never invents
                    preferred_channel=self.rng.choice(("email", "email", "phone")),
                    updated_at=self.between(p.created_at, self.now),
                )
                for p in everyone
                if self.rng.random() < 0.3
            ]
        )


def _moment(day: date, now: datetime) -> datetime:
    return min(datetime.combine(day, datetime.min.time(), now.tzinfo) + timedelta(hours=15), now)


def _tone() -> bytes:
    """Half a second of a 440 Hz tone: a small but real WAV file for the demo recordings."""
    rate = 8000
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
        for i in range(rate // 2)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def _categories() -> list[str]:
    """Every category the load writes, for its one audit entry."""
    models = (
        *(Person, Account, Membership, Ticket, Message, Attachment, Call, CallRecording),
        *(RemoteSession, Device, Telemetry, ServiceRecord, MaintenanceSchedule),
        *(Quote, Invoice, Payment, WarrantyClaim),
    )
    return sorted(
        {
            str(c.info["category"])
            for model in models
            for c in model.__table__.columns
            if c.info.get("encrypted")
        }
    )
