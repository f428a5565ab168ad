"""A breach's severity by the ENISA method (Recommendations for a methodology of the
assessment of severity of personal data breaches, 2013), and the decisions it suggests (X6).

SE = DPC x EI + CB, where
- DPC, the data processing context (1 to 4): 1 basic data (contact details, account,
  technical data), 2 behavioural data (what people did, where and what they said: behaviour,
  location, communications, devices' logs), 3 financial data, 4 sensitive data (special
  categories, and what the policy marks `sensitive`). The suggestion is the highest of the
  categories involved (each category's key and its `includes` read by their fideslang keys),
  raised by one for a basic or behavioural context when the records per person reach
  `VOLUME` (ENISA's volume adjustment: that much data allows a profile of the person); the
  officer may raise or lower it for the context (ENISA's other adjustments). Once the people
  affected are frozen, the categories and counts are theirs;
- EI, the ease of identification (0.25 negligible, 0.5 limited, 0.75 significant, 1 maximum);
- CB, the circumstances of the breach, each part 0 to 0.5: loss of confidentiality (0.25
  exposed to known recipients, 0.5 to unknown ones), of integrity (0.25 altered but
  recoverable, 0.5 not), of availability (0.25 temporary, 0.5 permanent), malicious intent
  (0.5).
The band: SE < 2 low, 2 to 3 medium, 3 to 4 high, 4 and above very high.

The suggestions (the officer decides, with a reason): a low band is unlikely to result in a
risk, so the authority need not be told (Art. 33(1)); from medium it is told; from high the
people are told too (Art. 34(1)) unless an Art. 34(3) exemption applies. Until the officer
sets the context, the suggested one stands in for it (a provisional band, once the ease of
identification is given). Special categories involved suggest at least reporting to the
authority, whatever the band (EDPB Guidelines 9/2022: such a breach is likely a risk).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from steward.core.errors import Invalid
from steward.policy.active import resolve
from steward.policy.schema import Policy

CONTEXTS = {1.0: "basic", 2.0: "behavioural", 3.0: "financial", 4.0: "sensitive"}
IDENTIFICATION = {0.25: "negligible", 0.5: "limited", 0.75: "significant", 1.0: "maximum"}
PARTS = ("confidentiality", "integrity", "availability", "malicious")
PART_VALUES = (0.0, 0.25, 0.5)
BAND_NAMES = {"low": "Low", "medium": "Medium", "high": "High", "very_high": "Very high"}
# Art. 34(3): when the people need not be told although the risk to them is high.
EXEMPTIONS = {
    "encrypted": "The data was unintelligible to anyone not authorised, for example "
    "encrypted under keys that were not taken (Art. 34(3)(a)).",
    "mitigated": "Measures taken since ensure the high risk is no longer likely to "
    "materialise (Art. 34(3)(b)).",
    "disproportionate": "Telling each person would take disproportionate effort; a public "
    "communication tells them as effectively instead (Art. 34(3)(c)).",
}
# The fideslang keys, and the keys beneath them, by the context they put data in.
FINANCIAL = ("user.financial", "user.payment")
BEHAVIOURAL = ("user.behavior", "user.location", "user.communications", "system.logs")
VOLUME = 100  # records per person from which ENISA's volume adjustment raises the context


@dataclass(frozen=True)
class Severity:
    score: float
    band: str


def band_of(score: float) -> str:
    if score < 2:
        return "low"
    if score < 3:
        return "medium"
    if score < 4:
        return "high"
    return "very_high"


def circumstances(parts: Mapping[str, float]) -> float:
    """The sum of the circumstances' parts, each checked."""
    total = 0.0
    for name, value in parts.items():
        if name not in PARTS:
            raise Invalid(f"'{name}' is not a circumstance of a breach: use {', '.join(PARTS)}.")
        if value not in PART_VALUES:
            raise Invalid(f"The circumstance '{name}' is 0, 0.25 or 0.5.")
        total += value
    return total


def assess(
    data_context: float | None, identification: float | None, parts: Mapping[str, float]
) -> Severity | None:
    """The severity and its band, or None until both the context and the ease of
    identification are given."""
    if data_context is not None and not 1 <= data_context <= 4:
        raise Invalid("The data processing context is from 1 (basic) to 4 (sensitive).")
    if identification is not None and identification not in IDENTIFICATION:
        raise Invalid("The ease of identification is 0.25, 0.5, 0.75 or 1.")
    extra = circumstances(parts)
    if data_context is None or identification is None:
        return None
    score = round(data_context * identification + extra, 2)
    return Severity(score, band_of(score))


def _context_of(key: str, sensitive: bool) -> float:
    if sensitive:
        return 4.0
    if key.startswith(FINANCIAL):
        return 3.0
    if key.startswith(BEHAVIOURAL):
        return 2.0
    return 1.0


def suggested_context(
    policy: Policy,
    categories: Iterable[str],
    people: int | None = None,
    records: int | None = None,
) -> float | None:
    """The DPC the categories involved suggest: the highest of theirs (None for none), one
    higher for a basic or behavioural context with `VOLUME` records or more per person."""
    found = _highest(policy, categories)
    if found is not None and found < 3 and people and records and records / people >= VOLUME:
        found += 1
    return found


def _highest(policy: Policy, categories: Iterable[str]) -> float | None:
    found = None
    for key in categories:
        held = resolve(policy, key)
        if held is None:
            continue
        category = policy.categories[held]
        value = max(_context_of(k, category.sensitive) for k in (held, *category.includes))
        found = value if found is None else max(found, value)
    return found


@dataclass(frozen=True)
class Suggestion:
    notify_authority: bool
    notify_people: bool
    why: str


def suggest(band: str | None, special: bool = False) -> Suggestion | None:
    """What the band (and special categories involved) suggest; the officer decides and gives
    the reason."""
    if special and band in (None, "low"):
        return Suggestion(
            True,
            False,
            "Special categories are involved: a breach of them is likely to result in a risk "
            "to people, so report it to the authority (Art. 33(1)); assess the severity to "
            "decide on telling the people.",
        )
    if band is None:
        return None
    if band == "low":
        return Suggestion(
            False,
            False,
            "A low severity is unlikely to result in a risk to "
            "people (Art. 33(1)): record it; no report is needed.",
        )
    if band == "medium":
        return Suggestion(
            True,
            False,
            "A medium severity is a risk but not a high one: report "
            "it to the authority; the people need not be told (Art. 34(1)).",
        )
    return Suggestion(
        True,
        True,
        "A high severity: report it to the authority and tell the "
        "people, unless an Art. 34(3) exemption applies.",
    )
