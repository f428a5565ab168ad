"""The privacy policy and the cookie policy, written in plain words from the policy file."""

from steward.policy.breach import how_people_are_told, terms
from steward.policy.countries import EEA, in_country, name_of_country
from steward.policy.document import Document, Section, Table
from steward.policy.durations import Duration
from steward.policy.plain import kept_and_then
from steward.policy.schema import Category, Cookie, Policy, Retention, Right

BASIS = {
    "consent": "your consent, which you can withdraw at any time",
    "contract": "the performance of our contract with you, or steps you asked for before one",
    "legal_obligation": "a legal obligation we must meet",
    "vital_interests": "protecting someone's vital interests",
    "public_task": "a task carried out in the public interest",
    "legitimate_interests": "our legitimate interests",
}
SHORT_BASIS = {
    "consent": "your consent",
    "contract": "our contract with you",
    "legal_obligation": "a legal obligation",
    "vital_interests": "someone's vital interests",
    "public_task": "a task in the public interest",
    "legitimate_interests": "our legitimate interests",
}
SAFEGUARD = {
    "adequacy": "an adequacy decision",
    "scc": "Standard Contractual Clauses",
    "bcr": "Binding Corporate Rules",
}
# Each safeguard in plain words, said once where the transfers are listed.
SAFEGUARD_MEANS = {
    "adequacy": "An adequacy decision is a finding by the European Commission (or, for the UK, "
    "the UK government) that a country protects personal data as well as the law at home does.",
    "scc": "Standard Contractual Clauses are a contract, in wording the European Commission "
    "approved, by which the recipient promises to protect your data as the GDPR requires and "
    "gives you rights you can enforce.",
    "bcr": "Binding Corporate Rules are data protection rules a group of companies has had "
    "approved by a data protection authority, binding on every company in the group.",
}
RIGHT = {
    "access": (
        "Right of access",
        "You can get a copy of all personal data we hold about you, "
        "with why we use it and who received it.",
    ),
    "rectification": (
        "Right to rectification",
        "You can have inaccurate or incomplete data corrected.",
    ),
    "erasure": (
        "Right to erasure",
        "You can have your data deleted, except what the law requires us to keep.",
    ),
    "restriction": (
        "Right to restrict processing",
        "While you contest your data or our use of it, we pause using it and block access to it.",
    ),
    "portability": (
        "Right to data portability",
        "You can receive the data you gave us in a "
        "structured, machine-readable format, or have it sent to another provider.",
    ),
    "objection": (
        "Right to object",
        "You can object to processing based on our legitimate "
        "interests; we then stop unless we have compelling grounds.",
    ),
    "consent_withdrawal": (
        "Right to withdraw consent",
        "You can withdraw any consent you gave, as easily as you gave it.",
    ),
    "ccpa_know": (
        "California: right to know",
        "You can learn what personal information we collect, use and disclose about you.",
    ),
    "ccpa_delete": (
        "California: right to delete",
        "You can ask us to delete personal information we collected from you.",
    ),
    "ccpa_correct": (
        "California: right to correct",
        "You can have inaccurate personal information corrected.",
    ),
    "ccpa_opt_out": (
        "California: right to opt out of sale or sharing",
        "You can tell us not to sell or share your personal information.",
    ),
    "ccpa_limit": (
        "California: right to limit use of sensitive information",
        "You can limit the use of sensitive personal information to what the service needs.",
    ),
}
CHANNEL = {
    "privacy_center": "the privacy center on our website",
    "portal": "the customer portal",
    "account_settings": "your account settings",
    "email": "email to {privacy}",
    "phone": "telephone",
    "post": "post to our address",
    "in_person": "in person at our address",
}
VERIFICATION = {
    "session": "being signed in to your account",
    "password": "entering your password again",
    "email_code": "a code we send to the email address we hold",
    "data_points": "matching several details we hold about you",
    "document": "a document our privacy officer reviews (for high-risk requests)",
}


def _clause(text: str) -> str:
    """A sentence from the policy file, ready to be embedded in a longer one."""
    return text.strip().rstrip(".")


def _sentence(text: str) -> str:
    """Text ending with one full stop, even when it ends with an abbreviation ('Inc.')."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}"


def retention_words(rule: Retention) -> str:
    text = kept_and_then(rule)
    for exception in rule.exceptions:
        law = f" ({exception.statute})" if exception.statute else ""
        text += f". Exception: {_clause(exception.description)}{law}"
    return _sentence(text)


def deadline_words(right: Right) -> str:
    kind = "business " if right.day_kind == "business" else ""
    days = f"{right.deadline_days} {kind}day{'s' if right.deadline_days != 1 else ''}"
    text = f"We answer within {days}"
    if right.extension_days:
        text += (
            f"; where a request is complex we may extend this by up to "
            f"{right.extension_days} days and will tell you why within the first {days}"
        )
    return text + "."


def cookie_duration_words(cookie: Cookie) -> str:
    if cookie.duration == "session":
        return "until you close your browser"
    return Duration.parse(cookie.duration).words()


def name_of(policy: Policy) -> str:
    return policy.controller.trading_name or policy.controller.legal_name


def privacy_policy(policy: Policy) -> Document:
    us = name_of(policy)
    sections = [
        _who_we_are(policy),
        Section(
            "The data we hold",
            [
                "Each kind of data below says what it includes, where it comes from, why we use it, "
                "on what lawful basis, who receives it and how long we keep it."
            ],
            "data",
        ),
        *[_category(policy, key, category) for key, category in policy.categories.items()],
        _purposes(policy),
        _recipients(policy),
        _transfers(policy),
        _retention(policy),
        *([_coming_transfer(policy)] if policy.transfer else []),
        _rights(policy),
        *([_california(policy)] if "ccpa" in policy.jurisdictions else []),
        *([_children(policy)] if policy.children else []),
        _cookies_summary(policy),
        Section(
            "How we protect your data",
            [
                [_sentence(m) for m in policy.security],
                *([_sentence(policy.security_notice)] if policy.security_notice else []),
            ],
            "security",
        ),
        _breaches(policy),
        _changes(policy),
    ]
    return Document(
        title=f"Privacy policy of {us}",
        intro=[
            f"This policy explains what personal data {us} holds about you, why, on what "
            "lawful basis, who receives it, how long it is kept, and the rights you have.",
            f"Version {policy.version}, effective {policy.effective_date.isoformat()}.",
        ],
        sections=sections,
    )


def _who_we_are(policy: Policy) -> Section:
    c = policy.controller
    lines = [f"Controller: {c.legal_name}", f"Address: {c.address}", f"Email: {c.email}"]
    lines += [f"Telephone: {c.phone}"] if c.phone else []
    lines += [f"Website: {c.website}"] if c.website else []
    lines.append(f"Privacy questions and requests: {c.privacy_contact}")
    if c.dpo:
        lines.append(f"Data protection officer: {c.dpo.name}, {c.dpo.email}")
    return Section(
        "Who we are",
        [
            f"{c.legal_name} decides why and how your personal data is processed "
            "(it is the controller of that data).",
            lines,
        ],
        "who-we-are",
    )


def _coming_transfer(policy: Policy) -> Section:
    transfer = policy.transfer
    if transfer is None:  # the caller renders this section only for a coming transfer
        raise ValueError("no transfer is coming")
    to = transfer.to
    rights = " or ".join(
        "object to it" if r == "objection" else "have your data erased"
        for r in transfer.rights_before
    )
    left_out = (
        " If you object before that day, your data is left out of what passes to them."
        if transfer.leave_out_objectors
        else ""
    )
    return Section(
        "A coming change of owner",
        [
            f"On {transfer.date.isoformat()} {name_of(policy)} passes to {to.legal_name}, "
            f"{to.address} ({to.country}), which becomes the controller of your data from "
            "that day. We tell every account holder in advance.",
            f"Before that day you may {rights}.{left_out} Data of people erased before the "
            "day does not pass.",
            f"Privacy questions to the new owner: {to.privacy_contact}.",
        ],
        "transfer",
    )


def recipients_of(policy: Policy, category_key: str) -> list[str]:
    return [p.name for p in policy.processors.values() if category_key in p.categories]


def _why(policy: Policy, category: Category) -> list[str]:
    """The category's purposes grouped by basis, the basis in short words: the purposes
    table below says each basis in full, so no phrase repeats on every category."""
    by_basis: dict[str, list[str]] = {}
    for purpose_key in category.purposes:
        purpose = policy.purposes[purpose_key]
        by_basis.setdefault(purpose.lawful_basis, []).append(purpose.name)
    why = [f"{_and(names)} ({SHORT_BASIS[basis]})" for basis, names in by_basis.items()]
    lines = ["Why we use it: " + "; ".join(why) + "."]
    if "contract" in by_basis:
        for s in category.subjects:
            subject = policy.subjects.get(s)
            if subject and not subject.party_to_contract and subject.legitimate_interest:
                lines.append(
                    f"For {subject.name.lower()}, who have no contract with us, we rely instead "
                    f"on our legitimate interests: {_sentence(subject.legitimate_interest)}"
                )
    return lines


def _category(policy: Policy, key: str, category: Category) -> Section:
    subjects = [policy.subjects[s].name for s in category.subjects if s in policy.subjects]
    recipients = recipients_of(policy, key)
    return Section(
        category.name,
        [
            category.description,
            [
                _sentence("What it includes: " + ", ".join(category.fields)),
                _sentence("Whose data: " + ", ".join(subjects)),
                _sentence("Where it comes from: " + ", ".join(category.sources)),
                *_why(policy, category),
                _sentence(
                    "Who receives it: "
                    + (_and(recipients) if recipients else f"nobody outside {name_of(policy)}")
                ),
                "How long we keep it: " + retention_words(category.retention),
            ],
        ],
        f"category-{key}",
        level=3,
    )


def _purposes(policy: Policy) -> Section:
    rows = []
    for purpose in policy.purposes.values():
        basis = BASIS[purpose.lawful_basis]
        if purpose.legitimate_interest:
            basis += f" ({_clause(purpose.legitimate_interest)})"
        if purpose.legal_obligation:
            basis += f" ({purpose.legal_obligation})"
        rows.append([purpose.name, purpose.description, basis])
    return Section(
        "Why we use data and on what basis",
        [Table(["Purpose", "What we do", "Lawful basis"], rows)],
        "purposes",
    )


def _recipients(policy: Policy) -> Section:
    blocks: list[str | list[str] | Table] = []
    d = policy.disclosures
    blocks.append(
        "We do not sell your personal data."
        if not d.sells_personal_data
        else "We sell some personal data; see your California rights below."
    )
    if not d.shares_for_advertising:
        blocks.append("We do not share your personal data for advertising.")
    if policy.processors:
        blocks.append(
            "These organisations receive data only for the task they do for us, under "
            "a written contract, after we checked their security:"
        )
        blocks.append(
            Table(
                [
                    "Recipient",
                    "What they do",
                    "Data they receive",
                    "Where",
                    "Contract since",
                    "Last security review",
                ],
                [
                    [
                        p.name,
                        p.service,
                        ", ".join(
                            policy.categories[c].name
                            for c in p.categories
                            if c in policy.categories
                        ),
                        name_of_country(p.location),
                        p.contract_date.isoformat(),
                        p.vetted_date.isoformat(),
                    ]
                    for p in policy.processors.values()
                ],
            )
        )
    else:
        blocks.append(f"Nobody outside {name_of(policy)} receives your personal data.")
    blocks.append(f"Legal orders: {d.legal_orders}")
    if d.business_transfer:
        blocks.append(f"If the business changes hands: {d.business_transfer}")
    return Section("Who receives your data", blocks, "recipients")


def transfers_of(policy: Policy) -> list[tuple[str, str, str]]:
    """(recipient, country, safeguard in words) for each recipient with a safeguard, which
    `policy check` requires of every one outside our country (and, under the GDPR, outside
    the EEA and the UK)."""
    return [
        (p.name, name_of_country(p.location), SAFEGUARD[p.transfer_safeguard])
        for p in policy.processors.values()
        if p.transfer_safeguard is not None
    ]


def _transfers(policy: Policy) -> Section:
    """Decided by where the data goes: the recipients' locations, and our own country for
    people in Europe when we are outside it."""
    home = policy.controller.country
    blocks: list[str | list[str] | Table] = []
    european = {"gdpr", "uk_gdpr"} & set(policy.jurisdictions)
    if european and home not in EEA and home != "GB":
        blocks.append(
            f"We are based in {in_country(home)}. If you are in the European Economic Area or "
            f"the United Kingdom, the data you give us is sent to us in {in_country(home)} "
            "to provide the service, and your rights under the GDPR go with it."
        )
    transfers = transfers_of(policy)
    if transfers:
        blocks += [
            "We keep transfers abroad to a minimum. Where data goes to another country, it is "
            "protected by the safeguard shown:",
            Table(["Recipient", "Country", "Safeguard"], [list(t) for t in transfers]),
            *[
                SAFEGUARD_MEANS[s]
                for s in SAFEGUARD
                if any(p.transfer_safeguard == s for p in policy.processors.values())
            ],
        ]
    if not blocks:
        blocks.append(
            f"Your personal data stays in {in_country(home)}: we and every recipient above "
            "process it there."
        )
    return Section("International transfers", blocks, "transfers")


def _retention(policy: Policy) -> Section:
    blocks: list[str | list[str] | Table] = [
        Table(
            ["Data", "How long we keep it"],
            [[c.name, retention_words(c.retention)] for c in policy.categories.values()],
        )
    ]
    blocks.append(
        "Nothing is deleted while a legal obligation, a dispute or a security "
        "investigation requires us to keep it; such holds are recorded."
    )
    if policy.stale_accounts:
        s = policy.stale_accounts
        blocks.append(
            f"Accounts unused for {s.inactive_after.words()} are closed and their data "
            f"deleted as above; we write to you {s.warn_before.words()} before."
        )
    return Section("How long we keep data", blocks, "retention")


def _rights(policy: Policy) -> Section:
    privacy = policy.controller.privacy_contact
    blocks: list[str | list[str] | Table] = [
        "You can use these rights free of charge. Asking will never reduce the service you get."
    ]
    for name, right in policy.rights.items():
        if not right.offered or name.startswith("ccpa_"):
            continue
        blocks.append(_right_text(name, right, privacy))
    how = ", ".join(CHANNEL[c].format(privacy=privacy) for c in policy.inquiries.channels)
    blocks.append(
        f"Questions about privacy. Ask us anything about your data through {how}. "
        f"We answer within {hours_words(policy.inquiries.response_hours)}."
    )
    return Section("Your rights", blocks, "rights")


def hours_words(hours: int) -> str:
    if hours > 48 and hours % 24 == 0:
        return f"{hours // 24} days"
    return f"{hours} hour{'s' if hours != 1 else ''}"


def _right_text(name: str, right: Right, privacy: str) -> str:
    title, what = RIGHT[name]
    how = ", ".join(CHANNEL[c].format(privacy=privacy) for c in right.channels)
    check = " or ".join(VERIFICATION[v] for v in right.verification)
    return (
        f"{title}. {what} How to ask: {how}. {deadline_words(right)} "
        f"Before acting we confirm it is you by {check}."
    )


def _california(policy: Policy) -> Section:
    privacy = policy.controller.privacy_contact
    blocks: list[str | list[str] | Table] = [
        "If you live in California, the CCPA gives you these rights. Using them never changes "
        "the price or quality of our service."
    ]
    blocks += [
        _right_text(name, right, privacy)
        for name, right in policy.rights.items()
        if right.offered and name.startswith("ccpa_")
    ]
    return Section("Your California privacy rights", blocks, "california")


def _children(policy: Policy) -> Section:
    kids = policy.children
    if kids is None:
        return Section("Children", [])
    held = ", ".join(policy.categories[c].name for c in kids.categories if c in policy.categories)
    blocks: list[str | list[str] | Table] = [
        f"We ask your age when you sign up. Anyone under {kids.minimum_age} needs a parent or "
        "guardian's consent before an account is opened."
        if kids.parental_consent
        else f"Our services are not meant for anyone under {kids.minimum_age}.",
        f"For children we collect only: {held}.",
        "A parent or guardian can see, export and delete their child's data.",
    ]
    return Section("Children", blocks, "children")


def _cookies_summary(policy: Policy) -> Section:
    return Section(
        "Cookies",
        [
            "We use only the cookies below. Essential cookies are always on and hold no personal "
            "data; every other category is off until you accept it in the cookie banner, and you "
            "can change your choice at any time.",
            cookie_table(policy),
        ],
        "cookies",
    )


def cookie_table(policy: Policy) -> Table:
    return Table(
        ["Category", "Cookie", "Set by", "Kept for", "Purpose"],
        [
            [name.capitalize(), c.name, c.provider, cookie_duration_words(c), c.purpose]
            for name, group in policy.cookies.items()
            for c in group.cookies
        ]
        or [["None", "-", "-", "-", "We set no cookies."]],
    )


def _breaches(policy: Policy) -> Section:
    found = terms(policy)
    contact = found.contact
    reach = contact.email + (f", {contact.phone}" if contact.phone else "")
    return Section(
        "If your data is involved in a breach",
        [
            "We record every breach of security that affects personal data, what we did about "
            "it and why, and report it to the data protection authority where the law requires.",
            how_people_are_told(policy),
            f"Questions about a breach go to {contact.name} ({reach}).",
        ],
        "breaches",
    )


def _changes(policy: Policy) -> Section:
    return Section(
        "Changes to this policy",
        [
            "When we change this policy we publish the new version here with a summary of what "
            "changed and tell account holders; where a change needs your consent again, we ask.",
            Table(
                ["Version", "Date", "What changed"],
                [[e.version, e.date.isoformat(), e.summary] for e in policy.changelog],
            ),
        ],
        "changes",
    )


def cookie_policy(policy: Policy) -> Document:
    us = name_of(policy)
    sections = []
    for name, group in policy.cookies.items():
        purpose = policy.purposes.get(group.purpose) if group.purpose else None
        choice = (
            "Always on: the site cannot work without them. They hold no personal data."
            if name == "essential"
            else "Off until you accept them in the cookie banner; you can switch them off again "
            "at any time."
        )
        blocks: list[str | list[str] | Table] = [group.description, choice]
        if purpose:
            blocks.append(f"Purpose: {purpose.name}.")
        blocks.append(
            Table(
                ["Cookie", "Set by", "Kept for", "Purpose"],
                [[c.name, c.provider, cookie_duration_words(c), c.purpose] for c in group.cookies]
                or [["-", "-", "-", "No cookies in this category yet."]],
            )
        )
        sections.append(Section(f"{name.capitalize()} cookies", blocks, f"cookies-{name}"))
    sections.append(
        Section(
            "Changing your choice",
            [
                "You can change your choice at any time in the cookie settings of our website, or clear "
                "cookies in your browser; refusing never stops the essential parts of the site working.",
            ],
            "choice",
        )
    )
    return Document(
        title=f"Cookie policy of {us}",
        intro=[
            f"This policy lists every cookie {us} sets, what it is for and how long it lasts.",
            f"Version {policy.version}, effective {policy.effective_date.isoformat()}.",
        ],
        sections=sections,
    )
