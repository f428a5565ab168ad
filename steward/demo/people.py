"""Staff, organisations, their people and the customers who can sign in: part of a demo load."""

import json
import re
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import select

from steward.core.ids import new_id
from steward.demo.base import (
    CUSTOMER_LOGINS,
    DOMAIN,
    STAFF_LOGINS,
    DemoAccount,
    _Core,
    _Org,
    _Person,
    _Staff,
)
from steward.demo.content import CANNED
from steward.desk.models import (
    CannedReply,
    Membership,
    Organisation,
    SavedView,
)
from steward.identity.models import Account, Person
from steward.vault.service import vault_of


class _PeoplePhases(_Core):
    """Staff, organisations, their people and the customers who can sign in."""

    def staff(self) -> None:
        """The demo staff; accounts an earlier load made are reused as they are."""
        vault = vault_of(self.session)
        # A role the policy gives no purpose (billing where nothing is billed, a call
        # reviewer where no call is recorded) would only sign in to refusals: not made.
        used = {role for purpose in self.policy.purposes.values() for role in purpose.roles}
        wanted = [
            (role, f"{login}@{DOMAIN}")
            for role, login in STAFF_LOGINS
            if role in used or role in ("admin", "privacy_officer")
        ]
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
            if role == "privacy_officer":
                self.officer = staff
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
        canned = (*CANNED, *self.trade.canned)
        self.save([CannedReply(title=t, body=b, created_at=self.start) for t, b in canned])

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
        n_individuals = self.people // 6 if self.trade.individuals else 0
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
                            job_title=self.fake.job()[:80]
                            if kind == "contact" and self.holds("user.job_title")
                            else None,
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
        span = self.now - timedelta(days=400) - self.start
        for person_id, email in logins.items():
            # Not drawn from the load's generator: an earlier load's accounts are skipped,
            # and the rest of the business must not change with them (same seed, same data).
            created = self.start + span * (sum(map(ord, email)) % 97) / 97
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
