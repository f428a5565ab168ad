"""What every part of a demo load shares: its constants, the light records of the generated
business, and the load's state with its small helpers (saving in batches, storing files,
random dates and identifiers, whether the policy holds a category)."""

import io
import math
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

from faker import Faker
from sqlalchemy.orm import Session

from steward.core import clock
from steward.demo.trades import holds, local_of, trade_of
from steward.desk.models import (
    Attachment,
    Call,
    CallRecording,
    Device,
    Invoice,
    MaintenanceSchedule,
    Membership,
    Message,
    Payment,
    Quote,
    RemoteSession,
    ServiceRecord,
    Telemetry,
    Ticket,
    WarrantyClaim,
)
from steward.identity import passwords
from steward.identity.models import Account, Person
from steward.policy.active import policy_of
from steward.vault import files

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
    trade: str  # the business the demo made, as its report names it


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


class _Core:
    """The state of one load and the small helpers every phase uses."""

    def __init__(self, session: Session, files_dir: Path, people: int, seed: int) -> None:
        self.session = session
        self.files_dir = files_dir
        self.people = people
        self.rng = Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        self.policy = policy_of(session)
        self.trade = trade_of(self.policy)
        self.local = local_of(self.policy)
        self.fake = Faker(self.local.locale)
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
        self.officer: _Staff | None = None  # owns the demo's legal holds
        self.accounts: list[DemoAccount] = []
        self.password: str | None = None
        self.password_hash = ""

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

    def holds(self, *categories: str) -> bool:
        """Whether the policy holds every one of these column categories: the load writes
        nothing else."""
        return all(holds(self.policy, c) for c in categories)

    def phone(self) -> str:
        last = self.rng.randint(0, 10**self.local.digits - 1)
        return self.local.phone.format(n=f"{last:0{self.local.digits}d}")

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


def _categories(counts: dict[str, int], held: Callable[[str], bool]) -> list[str]:
    """Every category the load wrote (tables it filled, categories the policy holds), for
    its one audit entry."""
    models = (
        *(Person, Account, Membership, Ticket, Message, Attachment, Call, CallRecording),
        *(RemoteSession, Device, Telemetry, ServiceRecord, MaintenanceSchedule),
        *(Quote, Invoice, Payment, WarrantyClaim),
    )
    return sorted(
        {
            str(c.info["category"])
            for model in models
            if counts.get(model.__tablename__)
            for c in model.__table__.columns
            if c.info.get("encrypted") and held(str(c.info["category"]))
        }
    )
