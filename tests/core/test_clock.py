from datetime import UTC, datetime, timedelta

import pytest

from steward.core import clock


def test_a_frozen_clock_tells_the_time_it_was_set_to_and_moves_only_when_told():
    moment = datetime(2030, 1, 31, 12, 0, tzinfo=UTC)
    with clock.frozen_at(moment):
        assert clock.now() == moment
        clock.advance(timedelta(days=1))
        assert clock.today().isoformat() == "2030-02-01"
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_naive_times_are_taken_as_utc():
    with clock.frozen_at(datetime(2030, 1, 1)):
        assert clock.now().tzinfo is UTC


def test_advancing_a_running_clock_is_refused():
    with pytest.raises(RuntimeError):
        clock.advance(timedelta(days=1))
