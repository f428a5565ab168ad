from datetime import datetime

import pytest

from steward.policy.durations import Duration


@pytest.mark.parametrize(
    "text, words",
    [
        ("P7Y", "7 years"),
        ("P3M", "3 months"),
        ("P1Y", "1 year"),
        ("P1Y6M", "1 year and 6 months"),
        ("P2W", "2 weeks"),
        ("P1Y2M3D", "1 year, 2 months and 3 days"),
        ("p30d", "30 days"),
    ],
)
def test_policy_durations_read_as_plain_words(text, words):
    assert Duration.parse(text).words() == words


@pytest.mark.parametrize("text", ["7 years", "P", "P0D", "PT5H", "", "P-1Y"])
def test_anything_but_a_positive_period_is_refused(text):
    with pytest.raises(ValueError, match="not a period of time"):
        Duration.parse(text)


def test_a_period_ends_on_the_same_day_or_the_last_day_of_a_shorter_month():
    assert Duration.parse("P3M").after(datetime(2026, 11, 30)) == datetime(2027, 2, 28)
    assert Duration.parse("P7Y").after(datetime(2024, 2, 29)) == datetime(2031, 2, 28)
    assert Duration.parse("P30D").after(datetime(2026, 12, 15)) == datetime(2027, 1, 14)


def test_durations_compare_by_length():
    assert Duration.parse("P2Y").approx_days() > Duration.parse("P18M").approx_days()
    assert str(Duration.parse("P1Y6M")) == "P1Y6M"
