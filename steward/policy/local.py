"""How times, dates and amounts read to a person: in their time zone, in the business's
locale and currency. The business declares them in the policy (`controller.time_zone`,
`locale`, `currency`); where it does not, they follow its country. A person may choose their
own time zone (their account, else their organisation's)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

if TYPE_CHECKING:
    from steward.policy.schema import Controller


@cache
def zone(name: str) -> tzinfo:
    """An IANA time zone by name; ValueError for a name that is not one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone (like Europe/London)") from None


@cache
def zone_names() -> tuple[str, ...]:
    """Every time zone a person may choose, sorted, for pickers."""
    return tuple(sorted(n for n in available_timezones() if "/" in n and not n.startswith("Etc/")))


def is_zone(name: str) -> bool:
    try:
        zone(name)
    except ValueError:
        return False
    return True


@cache
def country_zone(country: str) -> str:
    """The main time zone of a country (the first CLDR lists), UTC if it has none."""
    from babel.core import get_global

    zones = get_global("territory_zones").get(country.upper(), ())
    return zones[0] if zones else "UTC"


@cache
def country_locale(country: str) -> str:
    """English as written in the country (en_GB, en_US, en_DE), else international English:
    the pages are in English, and the country sets how dates and numbers are written."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(f"en_{country.upper()}"))
    except (UnknownLocaleError, ValueError):
        return "en_001"


@cache
def country_currency(country: str) -> str:
    from babel.numbers import get_territory_currencies

    found = get_territory_currencies(country.upper())
    return found[0] if found else "USD"


def check_zone(name: str) -> str:
    zone(name)
    return name


def check_currency(code: str) -> str:
    from babel.numbers import list_currencies

    if code.upper() not in list_currencies():
        raise ValueError(f"{code!r} is not an ISO 4217 currency (like GBP or USD)") from None
    return code.upper()


def check_locale(name: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(name.replace("-", "_")))
    except (UnknownLocaleError, ValueError):
        raise ValueError(f"{name!r} is not a locale (like en_GB or de_DE)") from None


@dataclass(frozen=True)
class Local:
    """Formats for one viewer. Every method takes what the database holds (UTC)."""

    time_zone: str
    locale: str
    currency: str

    @classmethod
    def of(cls, controller: "Controller", time_zone: str | None = None) -> "Local":
        business_zone = controller.time_zone or country_zone(controller.country)
        return cls(
            time_zone if time_zone and is_zone(time_zone) else business_zone,
            controller.locale or country_locale(controller.country),
            controller.currency or country_currency(controller.country),
        )

    @property
    def tz(self) -> tzinfo:
        return zone(self.time_zone)

    def here(self, moment: datetime) -> datetime:
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(self.tz)

    def moment(self, moment: datetime) -> str:
        """A date and time, like "7 Dec 2026, 20:30" (en_GB) or "Dec 7, 2026, 8:30 PM" (en_US)."""
        from babel.dates import format_time

        here = self.here(moment)
        # CLDR puts a narrow no-break space before AM/PM; a plain one reads the same and
        # survives plain-text mail and copying.
        time = format_time(here, "short", locale=self.locale).replace("\u202f", " ")
        return f"{self.day(here)}, {time}"

    def moment_zoned(self, moment: datetime) -> str:
        """A date and time with its zone, for mails: "7 Dec 2026, 20:30 GMT"."""
        return f"{self.moment(moment)} {self.zone_name(moment)}"

    def day(self, value: date | datetime) -> str:
        """A date, like "7 Dec 2026" or "Dec 7, 2026"; a datetime is read in the viewer's zone."""
        from babel.dates import format_date

        shown = self.here(value).date() if isinstance(value, datetime) else value
        return format_date(shown, "medium", locale=self.locale)

    def zone_name(self, moment: datetime) -> str:
        """The zone's short name at that moment (GMT, BST, CST), for a title or a mail."""
        return self.here(moment).tzname() or self.time_zone

    def money(self, cents: int, currency: str | None = None) -> str:
        """An amount in minor units, like "£1,234.50" or "US$1,234.50" when the currency is not
        the business's own."""
        from babel.numbers import format_currency

        return format_currency(cents / 100, currency or self.currency, locale=self.locale)

    def field_value(self, moment: datetime | None) -> str:
        """A moment as a datetime-local field's value, in the viewer's zone."""
        return self.here(moment).strftime("%Y-%m-%dT%H:%M") if moment else ""

    def read(self, typed: datetime) -> datetime:
        """A datetime-local value (no zone) as the moment it means in the viewer's zone."""
        if typed.tzinfo:
            return typed.astimezone(UTC)
        return typed.replace(tzinfo=self.tz).astimezone(UTC)
