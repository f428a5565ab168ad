"""Cross-reference checks: what makes a schema-valid policy still a broken promise.

Each check yields (path in the file, sentence). The policy given may be partial: sections
or entries that failed the schema are left out, so references to them are not reported twice.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from steward.policy.countries import EEA
from steward.policy.schema import Policy

Finding = tuple[tuple[str | int, ...], str]

GDPR_RIGHTS = (
    "access",
    "rectification",
    "erasure",
    "restriction",
    "portability",
    "objection",
    "consent_withdrawal",
)
CCPA_RIGHTS = ("ccpa_know", "ccpa_delete", "ccpa_correct", "ccpa_opt_out")


@dataclass(frozen=True)
class Known:
    """Names written in the file, valid or not, so that an entry the schema refused is not
    reported a second time as 'not declared' wherever it is referred to."""

    subjects: frozenset[str]
    categories: frozenset[str]
    purposes: frozenset[str]
    purposes_in_use: frozenset[str]

    @classmethod
    def from_file(cls, data: dict[str, Any]) -> "Known":
        def keys(section: str) -> frozenset[str]:
            value = data.get(section)
            return frozenset(map(str, value)) if isinstance(value, dict) else frozenset()

        categories = data.get("categories")
        in_use = {
            str(purpose)
            for category in (categories.values() if isinstance(categories, dict) else [])
            if isinstance(category, dict) and isinstance(category.get("purposes"), list)
            for purpose in category["purposes"]
        }
        return cls(keys("subjects"), keys("categories"), keys("purposes"), frozenset(in_use))


def check(policy: Policy, known: Known) -> list[Finding]:
    return [
        *_category_references(policy, known),
        *_consent_is_possible(policy),
        *_processors(policy, known),
        *_cookies(policy, known),
        *_rights_required_by_law(policy),
        *_requests(policy, known),
        *_children(policy, known),
        *_changelog(policy),
    ]


def _category_references(policy: Policy, known: Known) -> Iterator[Finding]:
    for key, category in policy.categories.items():
        for index, purpose in enumerate(category.purposes):
            if purpose not in known.purposes:
                yield (
                    ("categories", key, "purposes", index),
                    f"Category '{key}' is used for purpose '{purpose}', "
                    "which is not declared under purposes.",
                )
        for index, subject in enumerate(category.subjects):
            if subject not in known.subjects:
                yield (
                    ("categories", key, "subjects", index),
                    f"Category '{key}' is about '{subject}', who is not declared under subjects.",
                )
    for key in policy.purposes:
        if key not in known.purposes_in_use:
            yield (
                ("purposes", key),
                f"Purpose '{key}' is declared but no category is used for it; "
                "list it under a category's purposes or remove it.",
            )


def _consent_is_possible(policy: Policy) -> Iterator[Finding]:
    for key, purpose in policy.purposes.items():
        if purpose.lawful_basis == "consent" and purpose.consent is None:
            yield (
                ("purposes", key, "lawful_basis"),
                f"Purpose '{key}' relies on consent but gives people no way to give it; "
                "add consent: {channels: [banner]} or another channel.",
            )
        if purpose.lawful_basis != "consent" and purpose.consent is not None:
            yield (
                ("purposes", key, "consent"),
                f"Purpose '{key}' asks for consent but its lawful basis is "
                f"{purpose.lawful_basis}; choose one.",
            )


def _processors(policy: Policy, known: Known) -> Iterator[Finding]:
    home = policy.controller.country if policy.controller else None
    for key, processor in policy.processors.items():
        for index, purpose in enumerate(processor.purposes):
            if purpose not in known.purposes:
                yield (
                    ("processors", key, "purposes", index),
                    f"Processor '{key}' serves purpose '{purpose}', "
                    "which is not declared under purposes.",
                )
        for index, category_key in enumerate(processor.categories):
            category = policy.categories.get(category_key)
            if category_key not in known.categories:
                yield (
                    ("processors", key, "categories", index),
                    f"Processor '{key}' receives category '{category_key}', "
                    "which is not declared under categories.",
                )
            elif category and not set(category.purposes) & set(processor.purposes):
                yield (
                    ("processors", key, "categories", index),
                    f"Processor '{key}' receives '{category_key}', but no purpose it serves "
                    "uses that category, so it should not get it.",
                )
        if home and processor.transfer_safeguard is None and _is_transfer(home, processor.location):
            yield (
                ("processors", key, "location"),
                f"Processor '{key}' is in {processor.location}, outside {home}: say which "
                "safeguard covers the transfer (transfer_safeguard: adequacy, scc or bcr).",
            )


def _is_transfer(home: str, there: str) -> bool:
    return home != there and not (home in EEA and there in EEA)


def _cookies(policy: Policy, known: Known) -> Iterator[Finding]:
    for name, group in policy.cookies.items():
        purpose = policy.purposes.get(group.purpose) if group.purpose else None
        if group.purpose and group.purpose not in known.purposes:
            yield (
                ("cookies", name, "purpose"),
                f"Cookie category '{name}' serves purpose '{group.purpose}', "
                "which is not declared under purposes.",
            )
        elif group.purpose and purpose is None:
            continue  # the purpose itself is broken and already reported
        elif name != "essential" and (purpose is None or purpose.lawful_basis != "consent"):
            yield (
                ("cookies", name),
                f"{name.capitalize()} cookies need consent: give them a purpose whose "
                "lawful basis is consent.",
            )
        elif name == "essential" and purpose is not None and purpose.lawful_basis == "consent":
            yield (
                ("cookies", name, "purpose"),
                "Essential cookies cannot be refused, so their purpose cannot rely on consent.",
            )
        for index, cookie in enumerate(group.cookies):
            if name == "essential" and cookie.holds_personal_data:
                yield (
                    ("cookies", name, "cookies", index),
                    f"Essential cookie '{cookie.name}' must not hold personal data.",
                )
        if (
            purpose
            and purpose.consent
            and name != "essential"
            and ("banner" not in purpose.consent.channels)
        ):
            yield (
                ("purposes", group.purpose or "", "consent"),
                f"{name.capitalize()} cookies are consented to in the cookie banner; "
                f"add banner to the channels of '{group.purpose}'.",
            )


def _rights_required_by_law(policy: Policy) -> Iterator[Finding]:
    required: list[tuple[str, str]] = []
    if {"gdpr", "uk_gdpr"} & set(policy.jurisdictions):
        required += [(right, "GDPR") for right in GDPR_RIGHTS]
    if "ccpa" in policy.jurisdictions:
        required += [(right, "the CCPA") for right in CCPA_RIGHTS]
        if any(c.sensitive for c in policy.categories.values()):
            required.append(("ccpa_limit", "the CCPA, for sensitive data,"))
    for right, law in required:
        granted = policy.rights.get(right)  # type: ignore[call-overload]
        if granted is None or not granted.offered:
            yield (
                ("rights",),
                f"{law} gives people the right '{right}', but the policy does not offer it.",
            )


def kept_on_erasure(policy: Policy) -> list[str]:
    """The categories an erasure keeps: those the file names, or else every category with a
    legal-obligation retention exception."""
    if policy.requests.erasure_keeps is not None:
        return list(policy.requests.erasure_keeps)
    return [
        key
        for key, category in policy.categories.items()
        if any(e.reason == "legal_obligation" for e in category.retention.exceptions)
    ]


def _requests(policy: Policy, known: Known) -> Iterator[Finding]:
    for index, key in enumerate(policy.requests.erasure_keeps or []):
        path = ("requests", "erasure_keeps", index)
        category = policy.categories.get(key)
        if category is None:
            if key not in known.categories:
                yield path, f"'{key}' is not a declared category."
        elif not any(e.reason == "legal_obligation" for e in category.retention.exceptions):
            yield (
                path,
                f"An erasure may keep '{key}' only when the law requires it: give its retention "
                "a legal_obligation exception naming the statute.",
            )
    erasure = policy.rights.get("erasure")
    grace = policy.requests.erasure_grace.approx_days()
    if erasure is not None and grace >= erasure.deadline_days:
        yield (
            ("requests", "erasure_grace"),
            "The grace period of an erasure must end before its deadline: make erasure_grace "
            f"shorter than {erasure.deadline_days} days.",
        )


def _children(policy: Policy, known: Known) -> Iterator[Finding]:
    if policy.children is None:
        if "coppa" in policy.jurisdictions:
            yield (
                ("jurisdictions",),
                "COPPA is listed but there is no children section saying the minimum age "
                "and how a parent consents.",
            )
        return
    for index, key in enumerate(policy.children.categories):
        if key not in known.categories:
            yield (
                ("children", "categories", index),
                f"Children's data may include '{key}', which is not declared under categories.",
            )
    if policy.children.parental_consent and not any(
        p.consent and "guardian" in p.consent.channels for p in policy.purposes.values()
    ):
        yield (
            ("children",),
            "Parental consent is required but no purpose lets a guardian give it; "
            "add guardian to a consent purpose's channels.",
        )


def _changelog(policy: Policy) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, entry in enumerate(policy.changelog):
        if entry.version in seen:
            yield (
                ("changelog", index),
                f"Version {entry.version} appears twice in the changelog; keep one entry.",
            )
        seen.add(entry.version)
    current = [e for e in policy.changelog if e.version == policy.version]
    if policy.version and policy.changelog and not current:
        yield (
            ("changelog",),
            f"The changelog has no entry for the current version {policy.version}; "
            "add one with its date and a summary of the changes.",
        )
    elif current and policy.effective_date and current[0].date != policy.effective_date:
        yield (
            ("effective_date",),
            f"The effective date {policy.effective_date} differs from the date of version "
            f"{policy.version} in the changelog ({current[0].date}); make them the same.",
        )
