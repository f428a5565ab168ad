"""axe-core over every kind of page, in headless Chromium: the public pages, the customer
portal, the agent desk, billing, the privacy officer's pages and the staff sign-in steps,
each showing the data it is made for, under two example policies. No page may have a WCAG
2.1 A or AA violation; a failure lists each rule broken, its help text and the elements that
break it. No page may show a person an id, one of the policy's keys or a time in UTC. Every page is opened again 320 px wide, where none may scroll sideways (WCAG
1.4.10, which axe cannot see), and a few of them are checked by axe there too.

axe-core comes from npm at the version the Makefile pins (`make axe`, which `make test`
runs) into .cache/axe/; without it the test is skipped with a reason, except under CI=true.
One live server and one browser per policy: every page is visited in the one test.

A new page goes into the list of the role that opens it, as (name, path); a path may name
a seeded record, such as {ticket} (see `Seeded`).
"""

import os
import re
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from steward.core import clock
from steward.policy.loader import load_policy
from steward.policy.local import Local
from steward.policy.serviceable import keeps_devices
from tests.conftest import DEFAULT_EXAMPLE, EXAMPLES
from tests.e2e.conftest import Login, current_code, sign_in_through_pages, watch_csp
from tests.people import staff
from tests.rights.channels_kit import ASKING, Asker, ingest, mail, use_example

AXE_CACHE = Path(__file__).resolve().parents[2] / ".cache" / "axe"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 320, "height": 640}  # WCAG 1.4.10: no sideways scrolling at 320 px
DESKTOP = {"width": 1280, "height": 720}  # Playwright's default
# The innermost elements reaching past the screen's right edge, outside any scrolling box.
TOO_WIDE = """() => {
    const scrolled = e => {
        for (let up = e.parentElement; up && up !== document.body; up = up.parentElement)
            if (getComputedStyle(up).overflowX !== 'visible') return true;
        return false;
    };
    const wide = [...document.body.querySelectorAll('*')]
        .filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !scrolled(e));
    return wide.filter(e => !wide.some(inner => inner !== e && e.contains(inner))).slice(0, 5)
        .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                  + [...e.classList].map(c => '.' + c).join(''));
}"""
# Ids used twice: a label or aria reference then names the wrong element (WCAG 2.1 4.1.1,
# which axe 4 no longer reports as a violation).
TWICE = """() => [...document.querySelectorAll('[id]')].map(e => e.id)
    .filter((id, at, ids) => ids.indexOf(id) !== at)"""
UTC = re.compile(r"\bUTC\b")
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
ERROR_PAGE = "an error page"  # the one kind of page expected to answer 404

PUBLIC = [
    ("privacy policy", "/privacy"),
    ("cookie policy", "/privacy/cookies"),
    ("policy history", "/privacy/history"),
    ("privacy center", "/privacy/center"),
    ("rights request form", "/privacy/center/new"),
    ("request status", "/privacy/center/status?reference={unverified}"),
    ("request verification", "/privacy/center/verify?reference={unverified}"),
    ("export download", "/privacy/center/download"),
    ("sign-in", "/sign-in"),
    ("register", "/register"),
    (ERROR_PAGE, "/no-such-page"),
]
CUSTOMER = [
    ("tickets", "/portal"),
    ("a ticket", "/portal/tickets/{ticket}"),
    ("new ticket", "/portal/tickets/new"),
    ("devices", "/portal/devices"),
    ("billing", "/portal/billing"),
    ("an invoice", "/portal/billing/invoices/{invoice}"),
    ("account", "/portal/account"),
    ("close the account", "/portal/account/close"),
    ("data", "/portal/data"),
    ("own privacy requests", "/privacy/center"),
    ("data use", "/privacy/center/data-use"),
    (ERROR_PAGE, "/portal/tickets/999999"),
]
AGENT = [
    ("queue", "/desk"),
    ("a ticket", "/desk/tickets/{ticket}"),
    ("log a call", "/desk/calls/new?ticket={ticket}"),
    ("calls", "/desk/calls"),
    ("a call", "/desk/calls/{call}"),
    ("remote sessions", "/desk/remote-sessions"),
    ("start a remote session", "/desk/remote-sessions/new"),
    ("devices", "/desk/devices"),
    ("a device", "/desk/devices/{device}"),
    ("add a device", "/desk/devices/new"),
    ("organisations", "/desk/organisations"),
    ("an organisation", "/desk/organisations/{organisation}"),
    ("a person", "/desk/people/{person}"),
    ("search", "/desk?q=Ada"),
    ("own account", "/desk/account"),
    (ERROR_PAGE, "/desk/tickets/999999"),
]
BILLING = [
    ("billing", "/desk/billing"),
    ("a quote", "/desk/billing/quotes/{quote}"),
    ("an invoice", "/desk/billing/invoices/{invoice}"),
    ("new quote", "/desk/billing/quotes/new"),
    ("new invoice", "/desk/billing/invoices/new"),
]
OFFICER = [
    ("requests", "/dpo"),
    ("a request", "/dpo/requests/{request}"),
    ("an unverified request", "/dpo/requests/{unverified_request}"),
    ("an export's preview", "/dpo/requests/{request}/export"),
    ("retention", "/dpo/retention"),
    ("a hold's release", "/dpo/holds/{hold}/release"),
    ("log a request", "/dpo/log"),
    ("incidents", "/dpo/incidents"),
    ("an incident", "/dpo/incidents/{incident}"),
    ("an incident's people affected", "/dpo/incidents/{incident}/affected"),
    ("an incident's containment", "/dpo/incidents/{incident}/containment"),
    ("an incident's report", "/dpo/incidents/{incident}/report"),
    ("an incident's notices", "/dpo/incidents/{incident}/notices"),
]
ADMIN = [
    ("accounts", "/desk/accounts"),
]
# Pages axe checks again on the phone-width screen, by (role, name); every page is opened
# there to check that it reflows.
ON_A_PHONE = {
    ("public", "privacy policy"),
    ("public", "rights request form"),
    ("customer", "a ticket"),
    ("agent", "queue"),
    ("agent", "a ticket"),
    ("billing", "an invoice"),
    ("privacy officer", "a request"),
}


@dataclass(frozen=True)
class Seeded:
    """What the pages show, made through the API: the ids a path names, as {ticket}."""

    person: str  # the customer's
    ticket: int
    call: str
    organisation: str
    device: str | None  # None where the policy keeps no device inventory
    quote: str
    invoice: str
    request: str  # a verified rights request's id
    unverified: str  # a rights request's reference, its code not yet entered
    unverified_request: str  # the same request's id
    hold: str  # a legal hold's id
    incident: str  # a breach recorded in the register


@dataclass
class Finding:
    role: str
    name: str
    url: str
    problem: str

    def __str__(self) -> str:
        return f"{self.role} / {self.name} ({self.url}):\n{self.problem}"


def axe_script() -> str:
    found = sorted(AXE_CACHE.glob("axe-core-*/axe.min.js"))
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but axe-core is missing from .cache/axe: run `make axe`")
        pytest.skip("axe-core is not in .cache/axe (`make axe` fetches it from npm)")
    return found[-1].read_text(encoding="utf-8")


@pytest.fixture(
    params=["houston-generator.yaml", "it-support-shop.yaml"], ids=lambda name: name[:-5]
)
def example(request, data_dir) -> Path:
    """The example in place of the default policy; asked for before the live server."""
    return use_example(data_dir, EXAMPLES / request.param)


def seed(example, admin, officer: Login, customer: Login, mailbox, new_client, settings) -> Seeded:
    """A ticket with a reply and a note, an organisation, a device, a call, a quote, an
    invoice, a legal hold, a breach, a verified and an unverified privacy request."""
    policy = load_policy(example)
    ada_id = customer.api.get("/api/v1/me").json()["person_id"]
    opened = customer.api.post(
        "/api/v1/tickets",
        json={"subject": "The generator will not start", "body": "It coughs twice and stops."},
    )
    assert opened.status_code == 201, opened.text
    ticket = opened.json()["id"]
    for visibility, body in [("public", "Please check the fuel filter."), ("internal", "Pump?")]:
        answer = admin.post(
            f"/api/v1/tickets/{ticket}/messages", json={"body": body, "visibility": visibility}
        )
        assert answer.status_code == 201, answer.text
    canned = admin.post("/api/v1/canned-replies", json={"title": "Thanks", "body": "Thank you."})
    assert canned.status_code == 201, canned.text

    organisation = made(admin, "/api/v1/organisations", {"name": "Acme Power"})
    member = {"kind": "contact", "person_id": ada_id}
    made(admin, f"/api/v1/organisations/{organisation}/members", member)
    device = None
    if keeps_devices(policy):
        fields = {"type": "workstation", "organisation_id": organisation, "hostname": "ws-ada"}
        device = made(admin, "/api/v1/devices", fields)
        visited = (clock.today() - timedelta(days=30)).isoformat()
        record = {"device_id": device, "visited_on": visited, "work_done": "Serviced."}
        made(admin, "/api/v1/service-records", record)
    call = made(
        admin,
        "/api/v1/calls",
        {
            "person_id": ada_id,
            "number": "+14155552671",
            "direction": "inbound",
            "duration_seconds": 375,
            "recording_notice_played": False,
            "ticket_id": ticket,
            "notes": "Walked through a restart.",
        },
    )

    currency = Local.of(policy.controller).currency
    lines = [{"description": "Annual service", "quantity": 1, "unit_cents": 45000}]
    quote = made(
        admin, "/api/v1/quotes", {"person_id": ada_id, "currency": currency, "lines": lines}
    )
    assert admin.patch(f"/api/v1/quotes/{quote}", json={"status": "sent"}).status_code == 200
    bill = {"person_id": ada_id, "currency": currency, "lines": lines, "billing_address": "1 Main"}
    invoice = made(admin, "/api/v1/invoices", bill)
    hold = {"scope": "person", "target": customer.email, "reason": "dispute"}
    hold_id = made(officer.api, "/api/v1/dpo/holds", hold)

    aware = (clock.now() - timedelta(hours=2)).isoformat()
    breach = {"title": "Laptop stolen from a technician's car", "aware_at": aware}
    incident = made(officer.api, "/api/v1/dpo/incidents", breach | {"kinds": ["confidentiality"]})

    asker = Asker(policy, officer.api, mailbox, new_client, settings)
    verified, _ = asker.ask("access", "email")
    privacy = policy.controller.privacy_contact
    unverified = ingest(
        settings, mail("grace@example.com", privacy, "Privacy", ASKING["erasure"], 2)
    )
    return Seeded(
        person=ada_id,
        ticket=ticket,
        call=call,
        organisation=organisation,
        device=device,
        quote=quote,
        invoice=invoice,
        request=asker.id_of(verified),
        unverified=unverified,
        unverified_request=asker.id_of(unverified),
        hold=hold_id,
        incident=incident,
    )


def policy_keys(policy) -> re.Pattern:
    """Dotted keys in the policy's vocabulary (user.contact.email, essential.service): any
    word starting with the first part of one of its category or purpose keys."""
    keys = {*policy.purposes}
    for key, category in policy.categories.items():
        keys |= {key, *category.includes}
    roots = sorted({k.split(".")[0] for k in keys})
    return re.compile(r"(?<![\w.@/-])(" + "|".join(roots) + r")(\.[a-z_]+)+(?![\w@/-])")


def made(api, path: str, body: dict) -> str:
    """The id of what the API made."""
    answer = api.post(path, json=body)
    assert answer.status_code == 201, f"{path}: {answer.text}"
    return str(answer.json().get("id"))


def offered(pages: list[tuple[str, str]], seeded: Seeded) -> list[tuple[str, str]]:
    """The pages with their records filled in; the device pages only where the policy keeps
    an inventory (elsewhere /desk/devices says so, a page test of its own)."""
    if seeded.device is None:
        pages = [(name, path) for name, path in pages if "devices" not in path]
    return [(name, path.format(**asdict(seeded))) for name, path in pages]


def violations(page, script: str) -> str:
    """axe's WCAG 2.1 A/AA violations on the page, one line per rule and its elements, and
    any id used twice."""
    if not page.evaluate("typeof axe !== 'undefined'"):  # the init script put it on every page
        page.add_script_tag(content=script)
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                    resultTypes: ['violations']});
            return result.violations.map(v => ({id: v.id, help: v.help, impact: v.impact,
                nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
        }""",
        RULES,
    )
    lines = [
        f"  {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join("    " + re.sub(r"\s+", " ", n) for n in v["nodes"])
        for v in found
    ]
    if twice := page.evaluate(TWICE):
        lines.append(f"  duplicate-id: ids must be unique: {', '.join(sorted(set(twice)))}")
    return "\n".join(lines)


class Visitor:
    """One browser context visiting a role's pages and noting what is wrong with them."""

    def __init__(self, chromium, base_url: str, role: str, script: str, keys: re.Pattern) -> None:
        self.context = chromium.new_context(base_url=base_url, locale="en-GB")
        self.context.set_default_timeout(10_000)
        # axe on every page as it loads: Chromium compiles it once, not once per check.
        self.context.add_init_script(script)
        self.refused: list[str] = []
        watch_csp(self.context, self.refused)
        self.page = self.context.new_page()
        self.role, self.script, self.keys = role, script, keys
        self.findings: list[Finding] = []

    def note(self, name: str, problem: str) -> None:
        self.findings.append(Finding(self.role, name, self.page.url, problem))

    def check(self, name: str) -> None:
        """Run axe on the page as it is now, and note what its Content-Security-Policy
        refused (a page must work with nothing of its own refused)."""
        if problems := violations(self.page, self.script):
            self.note(name, problems)
        while self.refused:
            self.note(name, f"  the Content-Security-Policy refused: {self.refused.pop(0)}")

    def open(self, name: str, path: str) -> bool:
        """Go to the page; False (and noted) when it does not answer as it should."""
        answer = self.page.goto(path)
        expected = 404 if name == ERROR_PAGE else 200
        if answer is None or answer.status != expected:
            self.note(name, f"  answered {answer.status if answer else 'nothing'}")
            return False
        return True

    def visit(self, name: str, path: str) -> None:
        """The page as it opens, then the same page narrowed to a phone's width: it may not
        scroll sideways (WCAG 1.4.10, reflow at 320 px), and the ON_A_PHONE ones are checked
        by axe again. Narrowing the open page spares loading each page twice."""
        if not self.open(name, path):
            return
        self.check(name)
        self.read(name)
        self.page.set_viewport_size(PHONE)
        narrow = f"{name}, {PHONE['width']} px wide"
        if self.page.evaluate("document.documentElement.scrollWidth > innerWidth"):
            wide = ", ".join(self.page.evaluate(TOO_WIDE))
            self.note(narrow, f"  the page scrolls sideways (WCAG 1.4.10 Reflow): {wide}")
        if (self.role, name) in ON_A_PHONE:
            self.check(narrow)
        self.page.set_viewport_size(DESKTOP)

    def read(self, name: str) -> None:
        """What a person reads on the page: names and words, never an id, one of the
        policy's keys or a time in UTC."""
        text = self.page.inner_text("body")
        for what, pattern in [("an id", UUID), ("a policy key", self.keys), ("UTC", UTC)]:
            if found := pattern.search(text):
                self.note(name, f"  shows {what}: {found.group(0)!r}")

    def close(self) -> None:
        self.context.close()


def sign_in_enrolling_mfa(visitor: Visitor, login: Login) -> None:
    """A new staff member's first sign-in: the set-up pages of two-step sign-in, each
    checked, ending on the recovery codes."""
    page = visitor.page
    sign_in_through_pages(page, login)
    page.get_by_role("heading", name="Set up two-step sign-in").wait_for()
    visitor.check("set up two-step sign-in")
    page.get_by_role("button", name="Set up").click()
    page.get_by_role("heading", name="Confirm two-step sign-in").wait_for()
    visitor.check("confirm two-step sign-in")
    secret = page.locator("#mfa-secret").inner_text()
    page.get_by_label("Code").fill(current_code(secret))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    visitor.check("recovery codes")


def refused_sign_in(visitor: Visitor) -> None:
    """The sign-in form as it comes back with an error."""
    page = visitor.page
    page.goto("/sign-in")
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").wait_for()
    visitor.check("sign-in refused")


def sign_in_with_code(visitor: Visitor, login: Login) -> None:
    """Sign in through the pages, checking the code step on the way."""
    page = visitor.page
    page.goto("/sign-in")
    page.get_by_label("Email").fill(login.email)
    page.get_by_label("Password").fill(login.password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Enter your code").wait_for()
    visitor.check("enter your code")
    page.get_by_label("Code").fill(current_code(login.totp_secret or ""))
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()


def test_the_sweep_reports_what_it_finds(chromium):
    """The harness reports what axe finds (an image without a text alternative) and what a
    person should never read: an id, a policy key, a time in UTC."""
    keys = policy_keys(load_policy(DEFAULT_EXAMPLE))
    visitor = Visitor(chromium, "about:blank", "none", axe_script(), keys)
    try:
        visitor.page.set_content(
            "<html lang=en><title>t</title><main><img src=x>"
            "<p>Matched 0190a4c2-7d1e-7c3a-9f00-5b6a0c9d1e2f, user.contact.email, 09:00 UTC</p>"
            "</main>"
        )
        visitor.check("broken")
        visitor.read("broken")
    finally:
        visitor.close()
    found = "\n".join(f.problem for f in visitor.findings)
    assert "image-alt" in found
    assert "shows an id" in found and "shows a policy key: 'user.contact.email'" in found
    assert "shows UTC" in found


def test_no_page_has_a_wcag_2_1_aa_violation(
    example,
    chromium,
    live_server,
    live_settings,
    admin,
    make_staff,
    make_customer,
    mailbox,
    new_client,
):
    script = axe_script()
    keys = policy_keys(load_policy(example))
    customer = make_customer("ada@example.com")
    officer = make_staff("privacy_officer", "dpo@example.com")
    seeded = seed(example, admin, officer, customer, mailbox, new_client, live_settings)
    staff(admin, mailbox, new_client(), "agent@example.com", "agent")  # MFA not set up yet
    billing = make_staff("billing", "billing@example.com")
    owner = make_staff("admin", "owner@example.com")
    roles = [
        ("public", PUBLIC, refused_sign_in),
        ("customer", CUSTOMER, lambda visitor: sign_in_through_pages(visitor.page, customer)),
        (
            "agent",
            AGENT,
            lambda visitor: sign_in_enrolling_mfa(visitor, Login("agent@example.com")),
        ),
        ("billing", BILLING, lambda visitor: sign_in_with_code(visitor, billing)),
        ("privacy officer", OFFICER, lambda visitor: sign_in_through_pages(visitor.page, officer)),
        ("admin", ADMIN, lambda visitor: sign_in_through_pages(visitor.page, owner)),
    ]
    findings: list[Finding] = []
    for role, pages, sign_in in roles:
        visitor = Visitor(chromium, live_server, role, script, keys)
        try:
            sign_in(visitor)
            filled = offered(pages, seeded)
            for name, path in filled:
                visitor.visit(name, path)
        finally:
            visitor.close()
        findings += visitor.findings
    assert not findings, f"{len(findings)} pages fail WCAG 2.1 AA:\n" + "\n".join(
        map(str, findings)
    )
