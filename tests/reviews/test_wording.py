import datetime

import pytest

from reviews.wording import duration

NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "—"),
        (datetime.timedelta(seconds=0), "under a minute"),
        (datetime.timedelta(seconds=59), "under a minute"),
        # timesince keeps each number with its unit by a no-break space.
        (MINUTE, "1\xa0minute"),
        (185 * MINUTE, "3\xa0hours, 5\xa0minutes"),
        (51 * 60 * MINUTE, "2\xa0days, 3\xa0hours"),
        (2 * 24 * 60 * MINUTE, "2\xa0days"),
    ],
)
def test_a_duration_is_its_two_largest_units_and_never_zero_minutes(value, expected):
    assert duration(value, NOW) == expected


def test_a_moment_is_the_time_since_it():
    assert duration(NOW - 185 * MINUTE, NOW) == "3\xa0hours, 5\xa0minutes"
    assert duration(NOW - datetime.timedelta(seconds=30), NOW) == "under a minute"
