import datetime

import pytest

from learners.templatetags.learners_tags import ago

NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "just now"),
        (59, "just now"),
        # timesince keeps each number with its unit by a no-break space.
        (60, "1\xa0minute ago"),
        (3 * 3600 + 5 * 60, "3\xa0hours, 5\xa0minutes ago"),
        (2 * 86400, "2\xa0days ago"),
    ],
)
def test_ago_says_just_now_under_a_minute(seconds, expected):
    assert ago(NOW - datetime.timedelta(seconds=seconds), NOW) == expected


def test_ago_of_nothing_is_empty():
    assert ago(None, NOW) == ""
