"""The schema of policy.yaml: every promise a business makes about data, as typed fields.

Each field's description is the user documentation's one-liner; docs/policy-file.md
documents every field and a test keeps the two in step.
"""

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from steward.policy import countries, local
from steward.policy.durations import Duration

Jurisdiction = Literal["gdpr", "uk_gdpr", "ccpa", "coppa"]
LawfulBasis = Literal[
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
]
Trigger = Literal["created", "last_activity", "account_closure", "contract_end"]
ExpiryAction = Literal["delete", "anonymise"]
Safeguard = Literal["adequacy", "scc", "bcr"]
Role = Literal["customer", "agent", "billing", "call_reviewer", "privacy_officer", "admin"]
RightName = Literal[
    "access",
    "rectification",
    "erasure",
    "restriction",
    "portability",
    "objection",
    "consent_withdrawal",
    "ccpa_know",
    "ccpa_delete",
    "ccpa_correct",
    "ccpa_opt_out",
    "ccpa_limit",
]
Channel = Literal[
    "privacy_center", "portal", "account_settings", "email", "phone", "post", "in_person"
]
Verification = Literal["session", "password", "email_code", "data_points", "document"]
ConsentChannel = Literal["banner", "form", "email_link", "phone", "guardian"]
CookieCategoryName = Literal["essential", "functional", "analytics", "performance", "marketing"]
ExceptionReason = Literal["legal_obligation", "legal_claim", "dispute", "security_investigation"]

_KEY = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"
DottedKey = Annotated[str, Field(pattern=_KEY)]
Country = Annotated[str, AfterValidator(countries.check_code)]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Text = Annotated[str, Field(min_length=1)]


def _duration(value: object) -> Duration:
    if isinstance(value, Duration):
        return value
    if not isinstance(value, str):
        raise ValueError(f"'{value}' is not a period of time; write it like P7Y or P3M")
    return Duration.parse(value)


Period = Annotated[Duration, BeforeValidator(_duration), PlainSerializer(str, return_type=str)]
_WINDOW = re.compile(r"PT(?:(\d+)H)?(?:(\d+)M)?")


def _window(value: object) -> dt.timedelta:
    """A watch rule's window: an ISO 8601 time like PT15M or PT1H, 5 minutes to 24 hours."""
    if isinstance(value, dt.timedelta):
        return value
    match = _WINDOW.fullmatch(str(value).strip().upper())
    if not isinstance(value, str) or not match or not any(match.groups()):
        raise ValueError(f"'{value}' is not a window of time; write it like PT15M or PT1H")
    hours, minutes = (int(g or 0) for g in match.groups())
    window = dt.timedelta(hours=hours, minutes=minutes)
    if not dt.timedelta(minutes=5) <= window <= dt.timedelta(hours=24):
        raise ValueError(f"a window is 5 minutes (PT5M) to 24 hours (PT24H), not '{value}'")
    return window


def _window_text(window: dt.timedelta) -> str:
    hours, minutes = divmod(int(window.total_seconds()) // 60, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")


Window = Annotated[
    dt.timedelta, BeforeValidator(_window), PlainSerializer(_window_text, return_type=str)
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(Strict):
    name: Text = Field(description="Full name.")
    email: Email = Field(description="Email address.")
    phone: str | None = Field(None, description="Telephone number.")


class Controller(Strict):
    legal_name: Text = Field(description="The business's legal name.")
    trading_name: str | None = Field(None, description="The name customers know it by.")
    address: Text = Field(description="Postal address, one line or several.")
    country: Country = Field(description="ISO 3166 code of the country of establishment.")
    email: Email = Field(description="General contact email.")
    phone: str | None = Field(None, description="General telephone number.")
    website: str | None = Field(None, description="The website the policy covers.")
    privacy_contact: Email = Field(description="Where privacy questions and requests go.")
    dpo: Person | None = Field(None, description="Data protection officer, if appointed.")
    time_zone: Annotated[str, AfterValidator(local.check_zone)] | None = Field(
        None,
        description="IANA time zone the pages and mails show times in, like Europe/London; "
        "the country's main zone if not given. A person may choose their own.",
    )
    locale: Annotated[str, AfterValidator(local.check_locale)] | None = Field(
        None,
        description="How dates and amounts are written, like en_GB or en_US; English as "
        "written in the country if not given.",
    )
    currency: Annotated[str, AfterValidator(local.check_currency)] | None = Field(
        None,
        description="ISO 4217 code quotes and invoices default to; the country's if not given.",
    )


class Subject(Strict):
    name: Text = Field(description="What the people are called in plain words.")
    description: Text = Field(description="Who they are.")
    party_to_contract: bool = Field(
        True,
        description="Whether these people have (or asked for) a contract with us; false for "
        "people such as a client's staff.",
    )
    legitimate_interest: str | None = Field(
        None,
        description="For people not party to a contract: the interest their data is used for "
        "where a purpose's basis is contract.",
    )


class RetentionException(Strict):
    reason: ExceptionReason = Field(description="Why data may be kept longer.")
    description: Text = Field(description="The exception in plain words.")
    statute: str | None = Field(None, description="The law that requires keeping it.")

    @model_validator(mode="after")
    def _statute_for_obligation(self) -> "RetentionException":
        if self.reason == "legal_obligation" and not self.statute:
            raise ValueError("a legal obligation must name its statute")
        return self


class Retention(Strict):
    period: Period = Field(description="How long, as an ISO 8601 duration: P7Y, P3M, P30D.")
    trigger: Trigger = Field(description="The event the period runs from.")
    action: ExpiryAction = Field(description="What happens when the period ends.")
    exceptions: list[RetentionException] = Field(
        default_factory=list, description="Reasons data may be kept longer."
    )


class Category(Strict):
    name: Text = Field(description="The category's name in plain words.")
    description: Text = Field(description="What the data is.")
    fields: list[Text] = Field(min_length=1, description="The fields that hold it.")
    includes: list[DottedKey] = Field(
        default_factory=list,
        description="Finer data categories it holds (e.g. user.contact.email), beyond its own key.",
    )
    subjects: list[DottedKey] = Field(min_length=1, description="Whose data it is.")
    sources: list[Text] = Field(min_length=1, description="Where it comes from.")
    purposes: list[DottedKey] = Field(min_length=1, description="What it is used for.")
    retention: Retention = Field(description="How long it is kept.")
    sensitive: bool = Field(False, description="Special category or sensitive data.")


class ConsentMechanism(Strict):
    channels: list[ConsentChannel] = Field(
        min_length=1, description="Where a person gives or withdraws consent."
    )


class Purpose(Strict):
    name: Text = Field(description="The purpose in plain words.")
    description: Text = Field(description="What is done and why.")
    lawful_basis: LawfulBasis = Field(description="GDPR Article 6 basis.")
    legitimate_interest: str | None = Field(
        None, description="The interest pursued, when the basis is legitimate interests."
    )
    legal_obligation: str | None = Field(
        None, description="The law, when the basis is a legal obligation."
    )
    roles: list[Role] = Field(min_length=1, description="Roles that may use it.")
    consent: ConsentMechanism | None = Field(
        None, description="How consent is given, when the basis is consent."
    )

    @model_validator(mode="after")
    def _interest_is_stated(self) -> "Purpose":
        if self.lawful_basis == "legitimate_interests" and not self.legitimate_interest:
            raise ValueError(
                "a purpose based on legitimate interests must state the interest "
                "in 'legitimate_interest'"
            )
        if self.lawful_basis == "legal_obligation" and not self.legal_obligation:
            raise ValueError(
                "a purpose based on a legal obligation must name the law in 'legal_obligation'"
            )
        return self


class Processor(Strict):
    name: Text = Field(description="The recipient's name.")
    kind: Literal["processor", "third_party"] = Field(
        "processor", description="Processor (acts for us) or independent third party."
    )
    service: Text = Field(description="What it does for us.")
    categories: list[DottedKey] = Field(min_length=1, description="Data categories it receives.")
    purposes: list[DottedKey] = Field(min_length=1, description="Purposes it serves.")
    location: Country = Field(description="ISO 3166 code of where it processes the data.")
    transfer_safeguard: Safeguard | None = Field(
        None, description="Safeguard for a transfer abroad: adequacy, scc or bcr."
    )
    contract_date: dt.date = Field(description="When its data-processing contract was signed.")
    vetted_date: dt.date = Field(description="When its security was last reviewed.")
    contact: str | None = Field(None, description="Its privacy contact.")
    notify_url: str | None = Field(
        None,
        pattern=r"^https://",
        description="HTTPS address that receives signed notices of corrections and erasures.",
    )


class Right(Strict):
    offered: bool = Field(True, description="Whether the right is offered.")
    deadline_days: int = Field(gt=0, description="Days to answer.")
    day_kind: Literal["calendar", "business"] = Field(
        "calendar", description="Whether deadline days are calendar or business days."
    )
    extension_days: int = Field(0, ge=0, description="Further days allowed, with notice.")
    channels: list[Channel] = Field(min_length=1, description="Where to ask.")
    verification: list[Verification] = Field(
        min_length=1, description="How identity is checked before acting."
    )


class Inquiries(Strict):
    response_hours: int = Field(
        gt=0, description="Hours within which a privacy inquiry is answered."
    )
    channels: list[Channel] = Field(min_length=1, description="Where to ask.")


class Requests(Strict):
    """How rights requests are handled, beyond each right's deadline and verification."""

    unverified_lapse: Period = Field(
        Duration.parse("P30D"), description="How long a request waits for verification."
    )
    code_minutes: int = Field(
        30, gt=0, le=1440, description="Minutes an emailed verification code stays valid."
    )
    code_attempts: int = Field(5, gt=0, le=20, description="Wrong codes before a code is void.")
    data_points: int = Field(
        3, ge=2, le=5, description="Data points held that must match to verify without an account."
    )
    erasure_grace: Period = Field(
        Duration.parse("P7D"), description="How long an approved erasure can still be cancelled."
    )
    download_expiry: Period = Field(
        Duration.parse("P7D"), description="How long an export can be downloaded."
    )
    due_soon_days: int = Field(
        5, ge=0, description="Days before the deadline a request is marked due soon."
    )
    records_kept: Period = Field(
        Duration.parse("P24M"), description="How long request records are kept."
    )
    erasure_keeps: list[DottedKey] | None = Field(
        None,
        description="Categories an erasure keeps because the law requires it (default: those "
        "with a legal_obligation retention exception).",
    )


class Cookie(Strict):
    name: Text = Field(description="The cookie's name.")
    provider: Text = Field(description="Who sets it.")
    duration: Text = Field(description="'session' or an ISO 8601 duration.")
    purpose: Text = Field(description="What it is for.")
    holds_personal_data: bool = Field(False, description="Whether it holds personal data.")

    @model_validator(mode="after")
    def _duration_is_valid(self) -> "Cookie":
        if self.duration != "session":
            Duration.parse(self.duration)
        return self


class CookieCategory(Strict):
    description: Text = Field(description="What the cookies of this category do.")
    purpose: DottedKey | None = Field(
        None, description="The purpose they serve; consent-based unless essential."
    )
    cookies: list[Cookie] = Field(default_factory=list, description="The cookies in it.")


class Children(Strict):
    minimum_age: int = Field(gt=0, lt=21, description="Age below which a guardian must consent.")
    parental_consent: bool = Field(description="Whether a guardian's consent is required.")
    categories: list[DottedKey] = Field(
        min_length=1, description="The only categories collected about a child."
    )


class ChangeEntry(Strict):
    version: Text = Field(description="The version this entry describes.")
    date: dt.date = Field(description="When it took effect.")
    summary: Text = Field(description="What changed, in plain words.")


class Disclosures(Strict):
    sells_personal_data: bool = Field(False, description="Whether personal data is sold.")
    shares_for_advertising: bool = Field(
        False, description="Whether it is shared for cross-context advertising."
    )
    legal_orders: Text = Field(description="When data is disclosed under legal compulsion.")
    business_transfer: str | None = Field(
        None, description="What happens to data if the business is sold, and the notice given."
    )


class StaleAccounts(Strict):
    inactive_after: Period = Field(description="Inactivity after which an account is closed.")
    warn_before: Period = Field(description="How long before closing the owner is warned.")

    @model_validator(mode="after")
    def _warning_comes_first(self) -> "StaleAccounts":
        if self.warn_before.approx_days() >= self.inactive_after.approx_days():
            raise ValueError(
                "the warning must come before the account is closed: make "
                "warn_before shorter than inactive_after"
            )
        return self


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class WorkingHours(Strict):
    days: list[Weekday] = Field(
        ["mon", "tue", "wed", "thu", "fri"], min_length=1, description="The working days."
    )
    start: dt.time = Field(dt.time(8), description="When the working day starts, like 08:00.")
    end: dt.time = Field(dt.time(18), description="When it ends, like 18:00.")

    @model_validator(mode="after")
    def _starts_before_it_ends(self) -> "WorkingHours":
        if self.start >= self.end:
            raise ValueError("the working day must start before it ends")
        return self


class WatchRule(Strict):
    enabled: bool = Field(True, description="Whether the rule is evaluated.")
    threshold: int = Field(gt=0, le=1_000_000, description="The count that raises an alert.")
    window: Window = Field(description="The window counted over, like PT15M or PT1H.")
    respond: bool = Field(
        False, description="Also lock the account (or bar the address) at once, not only alert."
    )


class ManyPeopleRule(WatchRule):
    multiple: float | None = Field(
        None,
        gt=1,
        description="Also alert when an account reads, within one window, this many times "
        "the people it reads on a usual day (its average over `baseline`).",
    )
    baseline: Period = Field(
        Duration.parse("P28D"), description="The past period an account's usual rate is read from."
    )
    at_least: int = Field(20, gt=0, description="The fewest people that alert on `multiple` alone.")


def _rule(threshold: int, minutes: int) -> dict[str, object]:
    return {"threshold": threshold, "window": dt.timedelta(minutes=minutes)}


class Watch(Strict):
    """Rules over the audit trail and the sign-in records (X4); each raises an alert on /dpo
    and mails the privacy officer, and with `respond` acts at once."""

    working_hours: WorkingHours = Field(
        default_factory=WorkingHours,
        description="The business's working hours, in the controller's time zone.",
    )
    many_people: ManyPeopleRule = Field(
        default_factory=lambda: ManyPeopleRule(**_rule(200, 60)),
        description="One staff account reading unusually many distinct people in a window.",
    )
    off_hours: WatchRule = Field(
        default_factory=lambda: WatchRule(**_rule(60, 60)),
        description="Exports, or reads of many people, by a staff account outside working hours.",
    )
    credential_stuffing: WatchRule = Field(
        default_factory=lambda: WatchRule(**_rule(10, 15)),
        description="Sign-ins to many different accounts tried from one address.",
    )
    mfa_failures: WatchRule = Field(
        default_factory=lambda: WatchRule(**_rule(5, 15)),
        description="Repeated wrong multi-factor codes on one account.",
    )


class ClientProcessing(Strict):
    client: Text = Field(description="The client controller's name.")
    contact: Text = Field(description="The client's contact for data protection.")
    processing: list[Text] = Field(min_length=1, description="What is done for the client.")
    categories: list[Text] = Field(min_length=1, description="Data categories handled.")
    transfers: str | None = Field(None, description="Transfers abroad and their safeguards.")

    def email(self) -> str | None:
        """The email address in the free-text contact, where a breach notice is mailed."""
        found = CONTACT_EMAIL.search(self.contact)
        return found.group(0) if found else None


CONTACT_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

BreachNotice = Literal["email", "privacy_center", "post", "phone", "public_notice"]


class BreachAuthority(Strict):
    name: Text = Field(description="The authority a breach is reported to.")
    contact: Text = Field(description="Its address, telephone number or web page for breaches.")
    how_to_file: Text = Field(description="How a report is filed, in plain words.")


class BreachDeadline(Strict):
    authority_hours: int | None = Field(
        None, gt=0, description="Hours from awareness to report the authority (GDPR: 72)."
    )
    phased: bool = Field(
        False, description="Whether the report may be given in phases as facts are known."
    )
    people_days: int | None = Field(
        None,
        gt=0,
        description="Calendar days from awareness to tell the people (California: 30); "
        "none means without undue delay.",
    )
    sample_over: int | None = Field(
        None,
        gt=0,
        description="People affected above which a sample notice goes to the authority "
        "(California: 500, to the Attorney General).",
    )
    sample_days: int | None = Field(
        None, gt=0, description="Calendar days after the people's notices the sample is due."
    )


class Incidents(Strict):
    """How personal data breaches are handled: who answers for them, whom they are reported to
    and by when, and how the people are told. Each declared jurisdiction without an entry
    gets Steward's defaults (docs/policy-file.md)."""

    contact: Person | None = Field(
        None,
        description="Who answers for breaches (the DPO or contact); default: the controller's "
        "dpo, else the privacy contact.",
    )
    authorities: dict[Jurisdiction, BreachAuthority] = Field(
        default_factory=dict, description="The authority of each jurisdiction."
    )
    deadlines: dict[Jurisdiction, BreachDeadline] = Field(
        default_factory=dict, description="The deadlines of each jurisdiction."
    )
    people_told_by: list[BreachNotice] = Field(
        default_factory=lambda: list[BreachNotice](["email", "privacy_center"]),
        min_length=1,
        description="How the people affected are told.",
    )
    people_notice: str | None = Field(
        None, description="What the privacy policy says about telling people, in your words."
    )


TransferRight = Literal["objection", "erasure"]
TRANSFER_RIGHTS: tuple[TransferRight, ...] = ("objection", "erasure")


class NewController(Strict):
    legal_name: Text = Field(description="The new owner's legal name.")
    address: Text = Field(description="The new owner's postal address.")
    country: Country = Field(description="ISO 3166 code of the new owner's country.")
    email: Email = Field(description="The new owner's general contact email.")
    privacy_contact: Email = Field(description="Where privacy questions go after the transfer.")


class Transfer(Strict):
    to: NewController = Field(description="Who takes over the business and its data.")
    date: dt.date = Field(description="The day the data passes to the new owner.")
    rights_before: list[TransferRight] = Field(
        default_factory=lambda: list(TRANSFER_RIGHTS),
        min_length=1,
        description="What people may do before the date: object to the transfer, have "
        "their data erased.",
    )
    leave_out_objectors: bool = Field(
        True, description="Whether people who objected before the date are left out."
    )


class Policy(Strict):
    version: Text = Field(description="The policy's version, e.g. '2.1'.")
    effective_date: dt.date = Field(description="When this version took effect.")
    changelog: list[ChangeEntry] = Field(min_length=1, description="Every version and its summary.")
    controller: Controller = Field(description="Who is responsible for the data.")
    jurisdictions: list[Jurisdiction] = Field(
        min_length=1, description="Laws the policy answers to."
    )
    subjects: dict[DottedKey, Subject] = Field(min_length=1, description="Kinds of people.")
    categories: dict[DottedKey, Category] = Field(min_length=1, description="Data held.")
    purposes: dict[DottedKey, Purpose] = Field(min_length=1, description="Why it is held.")
    processors: dict[DottedKey, Processor] = Field(
        default_factory=dict, description="Who else receives it."
    )
    rights: dict[RightName, Right] = Field(min_length=1, description="Rights people have.")
    inquiries: Inquiries = Field(description="How privacy questions are answered.")
    requests: Requests = Field(
        default_factory=Requests, description="How rights requests are verified and answered."
    )
    cookies: dict[CookieCategoryName, CookieCategory] = Field(
        default_factory=dict, description="Cookie categories and their cookies."
    )
    children: Children | None = Field(None, description="Rules for children's data.")
    disclosures: Disclosures = Field(description="Sale, sharing and compelled disclosure.")
    security: list[Text] = Field(min_length=1, description="Security measures in place.")
    security_notice: str | None = Field(
        None,
        description="What the business says about the limits of security, in its own words "
        "(e.g. no method of transmission over the Internet is 100% secure).",
    )
    stale_accounts: StaleAccounts | None = Field(
        None, description="When unused accounts are closed and wiped."
    )
    processing_for_clients: list[ClientProcessing] = Field(
        default_factory=list, description="Processing done as a processor for clients."
    )
    incidents: Incidents | None = Field(
        None, description="How breaches are reported and people told (defaults if left out)."
    )
    transfer: Transfer | None = Field(
        None, description="A coming transfer of the business to a new owner."
    )
    watch: Watch | None = Field(
        None, description="Watching for attacks: the rules' thresholds, windows and responses."
    )
