"""bootcamp's `times` filters print what Django's `date` filter prints, for less."""

import datetime
import zoneinfo

import pytest
from django.template import engines
from django.utils import timezone

DJANGO = "{{ at|date:'c' }}|{{ at|date:\"j M Y, H:i\" }}"
OURS = "{% load times %}{{ at|iso_datetime }}|{{ at|short_datetime }}"
UTC = datetime.UTC

MOMENTS = [
    datetime.datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
    datetime.datetime(2026, 12, 2, 14, 5, 9, 123456, tzinfo=UTC),
    datetime.datetime(2027, 3, 28, 0, 30, tzinfo=UTC),  # London moves its clocks at 01:00
    datetime.datetime(2027, 10, 31, 23, 59, 59, tzinfo=UTC),
    *(datetime.datetime(2026, month, 9, 9, 7, tzinfo=UTC) for month in range(1, 13)),
]


def _render(source, at):
    return engines["django"].from_string(source).render({"at": at})


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/St_Johns", "Asia/Kolkata"])
@pytest.mark.parametrize("at", MOMENTS, ids=str)
def test_the_filters_print_what_date_prints_in_the_current_time_zone(zone, at):
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        assert _render(OURS, at) == _render(DJANGO, at)


def test_an_example_and_nothing_for_no_value():
    at = datetime.datetime(2026, 12, 2, 14, 5, tzinfo=UTC)
    assert _render(OURS, at) == "2026-12-02T14:05:00+00:00|2 Dec 2026, 14:05"
    assert _render(OURS, None) == "|"
    assert _render(DJANGO, None) == "|"
