"""ISO 8601 durations as policies write them (P7Y, P3M, P1Y6M, P30D) and their plain words."""

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_PATTERN = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")


@dataclass(frozen=True, order=True)
class Duration:
    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0

    @classmethod
    def parse(cls, text: str) -> "Duration":
        match = _PATTERN.fullmatch(text.strip().upper())
        if not match or not any(int(g or 0) for g in match.groups()):
            raise ValueError(
                f"'{text}' is not a period of time longer than zero; write it like P7Y (7 years), "
                "P3M (3 months), P2W (2 weeks) or P30D (30 days)"
            )
        years, months, weeks, days = (int(g or 0) for g in match.groups())
        return cls(years, months, weeks, days)

    def __str__(self) -> str:
        parts = [(self.years, "Y"), (self.months, "M"), (self.weeks, "W"), (self.days, "D")]
        return "P" + "".join(f"{n}{unit}" for n, unit in parts if n)

    def approx_days(self) -> float:
        """For comparing two periods only: a year as 365.25 days, a month as 30.44."""
        return self.years * 365.25 + self.months * 30.44 + self.weeks * 7 + self.days

    def words(self) -> str:
        names = [
            (self.years, "year"),
            (self.months, "month"),
            (self.weeks, "week"),
            (self.days, "day"),
        ]
        parts = [f"{n} {name}{'s' if n != 1 else ''}" for n, name in names if n]
        return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)

    def before(self, end: datetime) -> datetime:
        """The moment this period started if it ends at `end`: the cut-off of a retention
        rule (a row stamped at or before it has been kept for the whole period)."""
        month_index = end.month - 1 - self.months - 12 * self.years
        year, month = end.year + month_index // 12, month_index % 12 + 1
        day = min(end.day, calendar.monthrange(year, month)[1])
        shifted = end.replace(year=year, month=month, day=day)
        return shifted - timedelta(days=self.weeks * 7 + self.days)

    def after(self, start: datetime) -> datetime:
        """The moment this period ends when it starts at `start` (month ends are clamped)."""
        month_index = start.month - 1 + self.months + 12 * self.years
        year, month = start.year + month_index // 12, month_index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        shifted = start.replace(year=year, month=month, day=day)
        return shifted + timedelta(days=self.weeks * 7 + self.days)
