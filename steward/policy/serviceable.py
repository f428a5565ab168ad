"""What the desk needs from a policy to do its core work (mail customers, show devices to
agents, let customers keep their preferences): each declaration that would stop it, as a
finding `policy check` reports with its line, and the purposes the desk acts under for it.

Pure reading of the policy, the same rules as the access gate's first two (a purpose uses
every category touched; the role may use the purpose), without a person or a database: the
gate still decides, and audits, every access. The desk asks here only which declared purpose
a piece of work serves, so that the gate is asked the right question.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from steward.policy.schema import Policy, RetentionException

Finding = tuple[tuple[str | int, ...], str]

SERVICE = "essential.service"  # a person acting on their own data
SUPPORT = "essential.service.support"  # agents working tickets, calls and devices
BILLING = "essential.service.billing"  # quotes, invoices and payments
# The categories of the desk's columns that the desk's core functions touch (the tables
# declare them; tests/desk/test_every_policy.py checks these names against the tables).
EMAIL = "user.contact.email"
PREFERENCES = "user.preferences"
DEVICE = (
    "user.device.configuration",
    "user.device.hostname",
    "user.device.ip_address",
    "user.device.mac_address",
    "user.device.serial_number",
)
MAILING_ROLES = ("customer", "agent")  # who reads the address: the person, or the agent replying


def holding(policy: Policy, column_category: str) -> str | None:
    """The policy category holding a column's category (as the gate's `resolve`)."""
    matches = [
        (len(covered), key)
        for key, category in policy.categories.items()
        for covered in (key, *category.includes)
        if column_category == covered or column_category.startswith(covered + ".")
    ]
    return max(matches)[1] if matches else None


def uses(policy: Policy, purpose: str, column_categories: Iterable[str]) -> bool:
    """Whether the policy declares `purpose` and uses every one of these categories for it."""
    if purpose not in policy.purposes:
        return False
    for column_category in column_categories:
        key = holding(policy, column_category)
        if key is None or purpose not in policy.categories[key].purposes:
            return False
    return True


def may(policy: Policy, role: str, purpose: str, column_categories: Iterable[str]) -> bool:
    """Whether `role` may use these categories for `purpose` (no person's state considered)."""
    found = policy.purposes.get(purpose)
    return found is not None and role in found.roles and uses(policy, purpose, column_categories)


def _service_purposes(policy: Policy) -> list[str]:
    """The service itself first, then its finer purposes by name: what mail about a ticket or
    the account serves. Never one based on consent (that mail would be optional, marketing)."""
    finer = sorted(k for k in policy.purposes if k.startswith(SERVICE + "."))
    return [
        key
        for key in (SERVICE, *finer)
        if key in policy.purposes and policy.purposes[key].lawful_basis != "consent"
    ]


def mail_purposes(policy: Policy) -> list[str]:
    """The purposes the desk may mail a person about their service under: reading whether
    they want the mail (their notification preferences) is part of the mail's own purpose,
    so it must use both the address and the preferences, for the person or the agent."""
    wanted = (EMAIL, PREFERENCES)
    return [
        key
        for key in _service_purposes(policy)
        if any(may(policy, role, key, wanted) for role in MAILING_ROLES)
    ]


def preference_purpose(policy: Policy) -> str | None:
    """The purpose under which customers see and change their own notification preferences:
    one customers may use, that uses the preferences (the service itself first)."""
    for key in _service_purposes(policy):
        if may(policy, "customer", key, (PREFERENCES,)):
            return key
    return None


def keeps_devices(policy: Policy) -> bool:
    """Whether the business keeps a device inventory its agents work with for support."""
    return any(may(policy, "agent", SUPPORT, (category,)) for category in DEVICE)


RECORDING = "user.communications.call_recording"


def records_calls(policy: Policy) -> bool:
    """Whether the policy declares call recordings as a category of their own: without it a
    recording would fall under plain communications, kept by their rule and heard by no one."""
    return any(
        RECORDING in (key, *category.includes) for key, category in policy.categories.items()
    )


@dataclass(frozen=True)
class LegalKeep:
    """Why a category outlives an erasure (the law), and the purpose it may be read under."""

    category: str
    purpose: str
    exception: RetentionException

    @property
    def law(self) -> str:
        return self.exception.statute or self.exception.description


def legal_keep(policy: Policy, column_category: str) -> LegalKeep | None:
    """What the law keeps of this category after an erasure, and for which purpose: the
    category's legal-obligation retention exception and a purpose based on a legal obligation
    that the category is used for. None when the policy names no such purpose."""
    key = holding(policy, column_category)
    if key is None:
        return None
    category = policy.categories[key]
    reasons = [e for e in category.retention.exceptions if e.reason == "legal_obligation"]
    purposes = [
        p
        for p in category.purposes
        if p in policy.purposes and policy.purposes[p].lawful_basis == "legal_obligation"
    ]
    if not reasons or not purposes:
        return None
    return LegalKeep(key, purposes[0], reasons[0])


def desk_findings(policy: Policy) -> Iterator[Finding]:
    """Declarations that leave a core desk function with no working path."""
    yield from _mail(policy)
    yield from _preferences(policy)
    yield from _devices(policy)


def _at(policy: Policy, column_category: str) -> tuple[str | int, ...]:
    key = holding(policy, column_category)
    return ("categories", key, "purposes") if key else ("categories",)


def _mail(policy: Policy) -> Iterator[Finding]:
    if mail_purposes(policy):
        return
    email, preferences = holding(policy, EMAIL), holding(policy, PREFERENCES)
    if email is None or not any(
        may(policy, role, key, (EMAIL,))
        for key in _service_purposes(policy)
        for role in MAILING_ROLES
    ):
        yield (
            _at(policy, EMAIL),
            "The desk cannot email customers about their tickets: no service purpose that "
            "customers or agents may use uses their email address "
            f"('{email or EMAIL}').",
        )
        return
    used = (
        ", ".join(f"'{p}'" for p in policy.categories[preferences].purposes) if preferences else ""
    )
    yield (
        _at(policy, PREFERENCES),
        "The desk cannot email customers about their tickets: whether a person wants that mail "
        f"is in their notification preferences ('{preferences or PREFERENCES}'), which no "
        "service purpose uses"
        + (f" (only {used})" if used else "")
        + f"; add the purpose the mail serves, such as '{SERVICE}'.",
    )


def _preferences(policy: Policy) -> Iterator[Finding]:
    if preference_purpose(policy) is not None:
        return
    key = holding(policy, PREFERENCES)
    used = ", ".join(f"'{p}'" for p in policy.categories[key].purposes) if key else ""
    yield (
        _at(policy, PREFERENCES),
        "Customers cannot see or change their notification preferences: "
        + (
            f"'{key}' is used only for {used}, and customers may use none of them for the service"
            if key
            else f"the policy declares no category holding '{PREFERENCES}'"
        )
        + f"; add '{SERVICE}' to its purposes.",
    )


def _devices(policy: Policy) -> Iterator[Finding]:
    """A business keeps a device inventory or not; keeping half of a device is a slip."""
    if not keeps_devices(policy):
        return
    missing = [c for c in DEVICE if not may(policy, "agent", SUPPORT, (c,))]
    for category in missing:
        yield (
            _at(policy, category),
            f"Agents can see devices for '{SUPPORT}' but not their '{category}': "
            "a device page would be missing it.",
        )
