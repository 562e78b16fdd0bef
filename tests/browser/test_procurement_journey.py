"""The Procurement Act 2023 in a real browser: the consortium admin sets the arrangement up as a
dynamic market; a competition on it is awarded at GBP 15,000 a week for a year (GBP 780,000,
above the light-touch threshold of GBP 663,540); the admin sees the contract award notice (UK6,
due before the placement starts) and the contract details notice (UK7, within 120 days of the
start) due, exports the UK6 for Find a Tender, records it as published with its notice id, and
the award appears in the public open data at /ocds/releases.json."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from placements.models import Placement
from procurement.models import Notice
from procurement.services.notices import notices_sync
from tests.placements import helpers

pytestmark = pytest.mark.browser
FTS_ID = "012345-2026"


def date_group(ui, name, day):
    group = ui.page.get_by_role("group", name=name)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_an_admin_sets_up_a_dynamic_market_and_publishes_an_award_s_notices(ui, world):
    ui.sign_in(world.admin)
    ui.follow("Arrangement")
    assert ui.heading() == "The arrangement"
    ui.page.get_by_label("Dynamic market (Procurement Act 2023)").check()
    ui.fill("Title", "South Thames Children's Placements Market")
    date_group(ui, "Start date", date(2025, 4, 1))
    date_group(ui, "End date", date(2029, 3, 31))
    ui.submit("Save the arrangement")
    main = ui.page.locator("main").inner_text()
    assert "Dynamic market (Procurement Act 2023)" in main
    ui.screenshot("procurement-arrangement")

    # A competition on the market is awarded: GBP 15,000 a week for 52 weeks.
    _request, placement = helpers.awarded(world, fees=("15000", "14500"))
    Placement.objects.filter(pk=placement.pk).update(
        planned_end_date=placement.start_date + timedelta(weeks=52)
    )
    notices_sync(consortium=world.consortium, today=timezone.localdate())  # the worker's run

    ui.follow("Notices")
    assert ui.heading() == "Notices on Find a Tender"
    table = ui.page.locator("table").first
    award = table.locator("tr", has_text="UK6 Contract award notice")
    details = table.locator("tr", has_text="UK7 Contract details notice")
    assert "Due" in award.inner_text()
    assert "Due" in details.inner_text()
    ui.screenshot("procurement-notices-due")

    award.get_by_role("link").click()
    ui.check()
    ui.submit("Draft the notice")
    with ui.page.expect_download() as download:
        ui.page.get_by_role("link", name="Export for Find a Tender (JSON)").click()
    exported = json.loads(Path(download.value.path()).read_text())
    text = json.dumps(exported)
    assert "UK6" in text
    assert placement.child_reference not in text

    ui.follow("Record as published", role="button")
    ui.fill("Find a Tender notice id", FTS_ID)
    ui.submit("Record as published")
    assert "Published" in ui.page.locator("main").inner_text()
    notice = Notice.objects.get(kind=Notice.Kind.UK6, placement=placement)
    assert notice.status == Notice.Status.PUBLISHED
    assert notice.fts_notice_id == FTS_ID

    # The open data, signed out.
    ui.page.context.clear_cookies()
    package = ui.page.request.get(f"{ui.base_url}/ocds/releases.json").json()
    release = next(r for r in package["releases"] if r["id"] == FTS_ID)
    assert release["tag"] == ["award"]
    assert placement.child_reference not in json.dumps(package)
