"""In a 1280-pixel window, wide tables (the market position's needs, the audit log, the
dashboard's) never widen the page: each scrolls inside its own box, which a keyboard user
can reach. The audit log's dates are GOV.UK date inputs."""

import pytest

from dps.services.audit import audit_record
from tests.monitoring.test_dashboards import dashboard_world, market_world

pytestmark = pytest.mark.browser

PAGE_FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def box_of(ui, caption):
    return ui.page.locator(".dps-table-scroll", has=ui.page.locator("caption", has_text=caption))


def test_wide_tables_scroll_in_their_own_box_and_the_page_fits(ui, world):
    market_world(world)
    dashboard_world(world)
    # Long unbroken values: the longest action there can be, and a longer detail.
    audit_record(user=world.officer_a, action="x" * 80, detail={"note": "y" * 300})
    ui.sign_in(world.commissioner_a)

    ui.visit("/monitoring/market/")
    needs = box_of(ui, "Needs of open requests and current placements")
    assert ui.page.evaluate(PAGE_FITS)
    assert needs.evaluate("box => box.scrollWidth > box.clientWidth")  # it scrolls inside
    needs.focus()
    assert needs.evaluate("box => document.activeElement === box")
    needs.press("ArrowRight")

    ui.visit("/monitoring/dashboard/")
    assert ui.page.evaluate(PAGE_FITS)

    ui.page.context.clear_cookies()
    ui.sign_in(world.admin)
    ui.visit("/audit/")
    assert ui.page.evaluate(PAGE_FITS)
    since = ui.page.get_by_role("group", name="From date")
    since.get_by_label("Day").fill("1")
    since.get_by_label("Month").fill("13")
    since.get_by_label("Year").fill("2024")
    ui.submit("Search")
    assert "From date must be a real date" in ui.page.locator("main").inner_text()
