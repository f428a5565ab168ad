"""The policy's `incidents` section with Steward's defaults filled in (X6): who answers for a
breach, the authority and the deadlines of each declared jurisdiction, how people are told.

Defaults, used for a declared jurisdiction the section leaves out (or when there is no
section): the GDPR and the UK GDPR report the authority within 72 hours of awareness, in
phases (Art. 33(1), 33(4)), and tell the people without undue delay (Art. 34); the CCPA
(Cal. Civ. Code 1798.82) tells the people within 30 calendar days and sends the Attorney
General a sample notice within 15 days of telling them when more than 500 California
residents are affected. COPPA sets no breach deadline. The UK's and California's authorities
are known; the GDPR's depends on where the business and the people are, so it has no default
and `policy check` asks for it.
"""

from dataclasses import dataclass

from steward.policy.schema import BreachAuthority, BreachDeadline, Incidents, Person, Policy

DEFAULT_DEADLINES = {
    "gdpr": BreachDeadline(authority_hours=72, phased=True),
    "uk_gdpr": BreachDeadline(authority_hours=72, phased=True),
    "ccpa": BreachDeadline(people_days=30, sample_over=500, sample_days=15),
}
DEFAULT_AUTHORITIES = {
    "uk_gdpr": BreachAuthority(
        name="Information Commissioner's Office (ICO)",
        contact="https://ico.org.uk/for-organisations/report-a-breach/, telephone 0303 123 1113",
        how_to_file="The ICO's online breach report form, or by telephone.",
    ),
    "ccpa": BreachAuthority(
        name="California Attorney General",
        contact="https://oag.ca.gov/privacy/databreach/reporting",
        how_to_file="A sample copy of the notice sent to residents, through the Attorney "
        "General's online form.",
    ),
}
LAW_NAMES = {
    "gdpr": "GDPR",
    "uk_gdpr": "UK GDPR",
    "ccpa": "California (CCPA)",
    "coppa": "COPPA",
}
NOTICE_WORDS = {
    "email": "by email",
    "privacy_center": "in your privacy center",
    "post": "by post",
    "phone": "by telephone",
    "public_notice": "by a public notice where telling each person is not possible",
}


@dataclass(frozen=True)
class BreachTerms:
    contact: Person
    authorities: dict[str, BreachAuthority]  # by declared jurisdiction that has one
    deadlines: dict[str, BreachDeadline]  # by declared jurisdiction that sets any
    people_told_by: list[str]
    people_notice: str | None


def terms(policy: Policy) -> BreachTerms:
    """What the policy says about breaches, each declared jurisdiction's gap filled in."""
    section = policy.incidents or Incidents()
    declared = list(policy.jurisdictions)
    controller = policy.controller
    contact = (
        section.contact
        or controller.dpo
        or Person(
            name=f"Privacy team of {controller.trading_name or controller.legal_name}",
            email=controller.privacy_contact,
            phone=controller.phone,
        )
    )
    authorities: dict[str, BreachAuthority] = {}
    deadlines: dict[str, BreachDeadline] = {}
    for law in declared:
        authority = section.authorities.get(law) or DEFAULT_AUTHORITIES.get(law)
        if authority is not None:
            authorities[law] = authority
        deadline = section.deadlines.get(law) or DEFAULT_DEADLINES.get(law)
        if deadline is not None:
            deadlines[law] = deadline
    return BreachTerms(
        contact, authorities, deadlines, list(section.people_told_by), section.people_notice
    )


def how_people_are_told(policy: Policy) -> str:
    """The sentence of the privacy policy on breaches: how and by when people are told."""
    found = terms(policy)
    if found.people_notice:
        return found.people_notice
    how = [NOTICE_WORDS[n] for n in found.people_told_by]
    ways = ", ".join(how[:-1]) + f" and {how[-1]}" if len(how) > 1 else how[0]
    days = sorted(
        (d.people_days, LAW_NAMES[j]) for j, d in found.deadlines.items() if d.people_days
    )
    when = "without undue delay"
    if days:
        limits = "; ".join(f"{n} days for {law}" for n, law in days)
        when += f", and within the time the law sets ({limits})"
    return (
        "If a breach of security is likely to put your rights at high risk, or the law "
        f"otherwise requires it, we tell you {when}: {ways}. We say what happened, what "
        "data was involved, what we are doing and what you can do."
    )
