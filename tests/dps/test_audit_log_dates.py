"""The audit log's date filters are GOV.UK date inputs (day, month and year boxes) whose errors
say what is wrong; its table scrolls inside its own labelled box."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from dps.services.audit import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(world):
    for day, action in ((10, "early.event"), (20, "late.event")):
        with time_machine.travel(datetime(2024, 3, day, 12, tzinfo=UTC)):
            audit_record(user=world.officer_a, action=action)


def search(client, world, **query):
    client.force_login(world.admin)
    response = client.get(reverse("audit_log"), query)
    return response, response.content.decode()


def test_the_dates_are_entered_as_day_month_and_year(client, world, events):
    _response, html = search(client, world, since_day="15", since_month="3", since_year="2024")

    assert "late.event" in html
    assert "early.event" not in html
    assert 'class="govuk-date-input"' in html
    for part in ("day", "month", "year"):
        assert f'name="since_{part}"' in html
        assert f'name="until_{part}"' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">From date' in html


def test_the_to_date_counts_the_whole_day(client, world, events):
    _response, html = search(client, world, until_day="10", until_month="3", until_year="2024")

    assert "early.event" in html
    assert "late.event" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since_day": "15"}, "From date must include a month and a year."),
        ({"since_day": "15", "since_year": "2024"}, "From date must include a month."),
        (
            {"until_day": "31", "until_month": "2", "until_year": "2024"},
            "To date must be a real date, for example 27 3 2025.",
        ),
        (
            {"since_day": "x", "since_month": "3", "since_year": "2024"},
            "From date must be a real date, for example 27 3 2025.",
        ),
        (
            {"since_day": "1", "since_month": "3", "since_year": "99999"},
            "From date must be a real date, for example 27 3 2025.",
        ),
    ],
)
def test_a_bad_date_says_what_is_wrong_and_links_to_the_day(client, world, events, query, message):
    response, html = search(client, world, **query)

    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    field = next(iter(query)).split("_")[0]
    assert f'href="#id_{field}_day"' in html  # the error summary leads to the day box
    assert f'id="id_{field}_day"' in html
    assert "govuk-input--error" in html


def test_the_events_table_scrolls_inside_a_labelled_focusable_box(client, world, events):
    _response, html = search(client, world)
    box = html.split('class="dps-table-scroll"')[1].split(">")[0]

    assert 'role="region"' in box
    assert 'aria-label="Events, newest first"' in box
    assert 'tabindex="0"' in box
