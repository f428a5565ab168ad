"""Cross-reference checks: what makes a schema-valid policy still a broken promise.

Each check yields (path in the file, sentence). `check` gives the errors, which stop `serve`
and `policy publish`; `advise` gives the warnings, which `policy check` and `policy publish`
print and which stop nothing. The policy given may be partial: sections or entries that
failed the schema are left out, so references to them are not reported twice.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from steward.policy import serviceable
from steward.policy.breach import DEFAULT_DEADLINES, LAW_NAMES
from steward.policy.channels import CHANNEL_VERIFICATION, NAMES, SIGNED_OUT, servable
from steward.policy.countries import EEA, in_country
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
# The requests by which people use a right before a transfer (the CCPA's opt-out and
# deletion where the policy answers to the CCPA alone).
TRANSFER_REQUESTS = {
    "objection": ("objection", "ccpa_opt_out"),
    "erasure": ("erasure", "ccpa_delete"),
}
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
    """The errors: what the policy promises and Steward could not honour."""
    return [
        *_category_references(policy, known),
        *_consent_is_possible(policy),
        *_processors(policy, known),
        *_cookies(policy, known),
        *_rights_required_by_law(policy),
        *_channels_work(policy),
        *_recipients_can_be_told(policy),
        *_contract_parties(policy),
        *_includes_are_named(policy),
        *_requests(policy, known),
        *_children(policy, known),
        *_changelog(policy),
        *_incidents(policy),
        *_transfer(policy),
    ]


def advise(policy: Policy, known: Known, complete: bool = True) -> list[Finding]:
    """The warnings: declarations that do no harm to people but do nothing, or leave a way
    in narrower than it looks. `complete` is False for a policy salvaged from a file with
    errors, where the desk's own findings are not worked out."""
    return [
        *_unused_purposes(policy, known),
        *_signed_out_privacy_center(policy),
        *_transfer_statements(policy),
        *_incidents_declared(policy),
        *_clients_can_be_told(policy),
        *(serviceable.desk_findings(policy) if complete else ()),
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


def _unused_purposes(policy: Policy, known: Known) -> Iterator[Finding]:
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
                f"Processor '{key}' is in {in_country(processor.location)}, outside "
                f"{in_country(home)}: say which "
                "safeguard covers the transfer (transfer_safeguard: adequacy, scc or bcr).",
            )
        elif (
            processor.transfer_safeguard is None
            and _answers_to_gdpr(policy)
            and not _in_europe(processor.location)
        ):
            yield (
                ("processors", key, "location"),
                f"Processor '{key}' is in {in_country(processor.location)}, outside the EEA and "
                "the UK, and "
                "the policy answers to the GDPR: the data of people in Europe goes abroad to "
                "it, so say which safeguard covers the transfer (transfer_safeguard: adequacy, "
                "scc or bcr).",
            )


def _is_transfer(home: str, there: str) -> bool:
    return home != there and not (home in EEA and there in EEA)


def _answers_to_gdpr(policy: Policy) -> bool:
    return bool({"gdpr", "uk_gdpr"} & set(policy.jurisdictions or []))


def _in_europe(country: str) -> bool:
    """The EEA and the UK, between which data moves without a safeguard."""
    return country in EEA or country == "GB"


def _transfer_statements(policy: Policy) -> Iterator[Finding]:
    """A safeguard claimed for a recipient in the business's own country: the policy's text
    would name a transfer abroad that does not happen."""
    home = policy.controller.country if policy.controller else None
    for key, processor in policy.processors.items():
        abroad = home is not None and _is_transfer(home, processor.location)
        for_europe = _answers_to_gdpr(policy) and not _in_europe(processor.location)
        if processor.transfer_safeguard is not None and not abroad and not for_europe:
            yield (
                ("processors", key, "transfer_safeguard"),
                f"Processor '{key}' is in {in_country(processor.location)}, like us, so "
                "no data goes abroad to it; remove transfer_safeguard, or correct its location.",
            )


def _recipients_can_be_told(policy: Policy) -> Iterator[Finding]:
    """S1, S2: an erasure or a correction is passed on to every recipient of the data."""
    for key, processor in policy.processors.items():
        if processor.categories and not processor.contact and not processor.notify_url:
            yield (
                ("processors", key),
                f"Processor '{key}' receives personal data but has neither 'contact' nor "
                "'notify_url', so an erasure or correction could never be passed on to it; "
                "add its privacy address as contact, or a notify_url.",
            )


def _channels_work(policy: Policy) -> Iterator[Finding]:
    """Every channel of an offered right must be one Steward can take the request through
    with one of the right's ways of checking identity."""
    for name, right in policy.rights.items():
        if not right.offered:
            continue
        for index, channel in enumerate(right.channels):
            if servable(channel, list(right.verification)):
                continue
            needed = _one_of(sorted(CHANNEL_VERIFICATION.get(channel, frozenset())))
            yield (
                ("rights", name, "channels", index),
                f"Right '{name}' is offered {NAMES.get(channel, channel)}, but nobody can be "
                f"verified there with {_one_of(list(right.verification))}: a request "
                f"{NAMES.get(channel, channel)} needs {needed} in its verification; add one, "
                "or remove the channel.",
            )


def _signed_out_privacy_center(policy: Policy) -> Iterator[Finding]:
    for name, right in policy.rights.items():
        if not right.offered or "privacy_center" not in right.channels:
            continue
        if not set(right.verification) & SIGNED_OUT:
            index = right.channels.index("privacy_center")
            yield (
                ("rights", name, "channels", index),
                f"Right '{name}' is offered in the privacy center only to people signed in "
                f"({_one_of(list(right.verification))}); someone without an account cannot "
                f"use it there. Add {_one_of(sorted(SIGNED_OUT))} to its verification.",
            )


def _one_of(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" or {names[-1]}"


def _contract_parties(policy: Policy) -> Iterator[Finding]:
    """Contract is a lawful basis only for people party to the contract (GDPR Art. 6(1)(b));
    for others, such as a client's staff, the policy must state the interest relied on."""
    for key, category in policy.categories.items():
        outsiders = [
            s
            for s in category.subjects
            if (subject := policy.subjects.get(s)) is not None
            and not subject.party_to_contract
            and not subject.legitimate_interest
        ]
        if not outsiders:
            continue
        for index, purpose_key in enumerate(category.purposes):
            purpose = policy.purposes.get(purpose_key)
            if purpose is not None and purpose.lawful_basis == "contract":
                yield (
                    ("categories", key, "purposes", index),
                    f"Category '{key}' is about '{outsiders[0]}', who are not party to a "
                    f"contract with us, yet purpose '{purpose_key}' relies on contract: state "
                    f"the interest their data is used for in subjects > {outsiders[0]} > "
                    "legitimate_interest, or use a purpose with another basis.",
                )


# Words a field list uses for a finer category, beyond the words of its own key.
NAMED_AS = {
    "user.authorization": ("password", "credential", "sign-in", "login", "mfa"),
    "user.authorization.credentials": ("password", "credential", "mfa"),
    "user.contact": ("email", "phone", "address"),
    "user.workplace": ("employer", "company", "organisation", "organization", "work for"),
    "user.preferences": ("preference", "setting"),
    "user.preferences.service_times": ("maintenance window", "service time"),
    "user.device": ("device", "ip address", "mac address", "hostname", "serial"),
    "system.logs": ("log",),
    "system.runtime_log": ("runtime log",),
    "system.service_record": ("service record", "maintenance", "repair", "service history"),
}


def _includes_are_named(policy: Policy) -> Iterator[Finding]:
    """A finer category the data holds must be named among its fields, or the policy's text
    never says it is collected."""
    for key, category in policy.categories.items():
        fields = " | ".join(category.fields).lower()
        for index, included in enumerate(category.includes):
            words = included.rsplit(".", 1)[-1].replace("_", " ")
            if words in fields or any(w in fields for w in NAMED_AS.get(included, ())):
                continue
            yield (
                ("categories", key, "includes", index),
                f"Category '{key}' includes '{included}', but its fields never name it, so "
                f"the policy never says it is collected; add it to fields (e.g. '{words}').",
            )


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


def _incidents(policy: Policy) -> Iterator[Finding]:
    """X6: the breach section names an authority and deadlines only for declared laws, the
    GDPR's authority (no default: it depends on where the business and the people are), and
    no deadline later than the law's."""
    section = policy.incidents
    if section is None:
        return
    declared = set(policy.jurisdictions)
    for part in ("authorities", "deadlines"):
        for law in getattr(section, part):
            if law not in declared:
                yield (
                    ("incidents", part, law),
                    f"incidents > {part} names '{law}', which the policy does not list under "
                    "jurisdictions; remove it or add the jurisdiction.",
                )
    if "gdpr" in declared and "gdpr" not in section.authorities:
        yield (
            ("incidents", "authorities") if section.authorities else ("incidents",),
            "The policy answers to the GDPR but names no authority to report a breach to: "
            "add incidents > authorities > gdpr (the lead supervisory authority, or the "
            "authority where the people affected live).",
        )
    for law, deadline in section.deadlines.items():
        path = ("incidents", "deadlines", law)
        legal = DEFAULT_DEADLINES.get(law)
        if legal is not None and _later(deadline.authority_hours, legal.authority_hours):
            yield (
                (*path, "authority_hours") if deadline.authority_hours else path,
                f"The {LAW_NAMES[law]} requires reporting a breach to the authority within "
                f"{legal.authority_hours} hours of becoming aware of it; set "
                f"authority_hours to {legal.authority_hours} or less.",
            )
        if legal is not None and _later(deadline.people_days, legal.people_days):
            yield (
                (*path, "people_days") if deadline.people_days else path,
                f"{LAW_NAMES[law]} requires telling the people within {legal.people_days} "
                f"calendar days; set people_days to {legal.people_days} or less.",
            )
        if (deadline.sample_over is None) != (deadline.sample_days is None):
            yield (
                path,
                "A sample notice to the authority needs both sample_over (how many people) "
                "and sample_days (how many days after the notices); give both or neither.",
            )


def _later(given: int | None, law: int | None) -> bool:
    """Whether a deadline the file gives is missing or later than the one the law sets."""
    return law is not None and (given is None or given > law)


def _incidents_declared(policy: Policy) -> Iterator[Finding]:
    if policy.incidents is None and "gdpr" in policy.jurisdictions:
        yield (
            ("jurisdictions",),
            "The policy answers to the GDPR but has no incidents section naming the authority "
            "to report a breach to; add incidents > authorities > gdpr.",
        )


def _clients_can_be_told(policy: Policy) -> Iterator[Finding]:
    for index, client in enumerate(policy.processing_for_clients):
        if client.email() is None:
            yield (
                ("processing_for_clients", index, "contact"),
                f"Client '{client.client}' has no email address in its contact: Steward "
                "cannot mail it of a breach (GDPR Art. 33(2)); add one.",
            )


def _transfer(policy: Policy) -> Iterator[Finding]:
    """A coming transfer must lie ahead of the version announcing it, go to someone else,
    and leave people a right Steward can take: the objection or erasure the policy offers."""
    transfer = policy.transfer
    if transfer is None:
        return
    if policy.effective_date and transfer.date <= policy.effective_date:
        yield (
            ("transfer", "date"),
            f"The transfer date {transfer.date} must come after the effective date "
            f"{policy.effective_date}, so that people are told before it.",
        )
    current = policy.controller.legal_name if policy.controller else ""
    if transfer.to.legal_name.strip().casefold() == current.strip().casefold():
        yield (
            ("transfer", "to", "legal_name"),
            "The new controller is the current one; name the business that takes over.",
        )
    for index, right in enumerate(transfer.rights_before):
        kinds = TRANSFER_REQUESTS[right]
        if not any(k in policy.rights and policy.rights[k].offered for k in kinds):
            yield (
                ("transfer", "rights_before", index),
                f"People are told they may use the right '{right}' before the transfer, "
                f"but the policy's rights offer none of {', '.join(kinds)}; offer one.",
            )
    if transfer.leave_out_objectors and "objection" not in transfer.rights_before:
        yield (
            ("transfer", "leave_out_objectors"),
            "Objectors are to be left out but objection is not among rights_before; "
            "add it or set leave_out_objectors to false.",
        )
