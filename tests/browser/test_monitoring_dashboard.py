"""A commissioner opens the dashboard in a real browser: the charts are drawn (Chart.js from
static files, no inline script), each beside its table; filtering by a provider reloads the
page; a chart's figures download as CSV, and the quarterly report as PDF. Every page is
checked with axe-core and for CSP violations."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from monitoring.models import Report
from monitoring.services.reports import report_generate
from tests.monitoring.test_dashboards import dashboard_world, performance_world

pytestmark = pytest.mark.browser


def test_a_commissioner_reads_the_dashboard_filters_it_and_downloads_a_chart(ui, world):
    dashboard_world(world)
    performance_world(world)
    ui.sign_in(world.commissioner_a)
    ui.follow("Dashboard")
    assert ui.heading() == "Commissioning dashboard"
    main = ui.page.locator("main")
    assert "41.7%" in main.inner_text()

    # The charts are drawn: each canvas is shown and has been given a size by Chart.js.
    canvas = ui.page.locator('canvas[data-chart="chart-data-trend-unplanned-endings-12m"]')
    canvas.wait_for(state="visible")
    assert canvas.evaluate("c => c.width > 0 && c.height > 0")
    assert ui.page.evaluate("() => Object.keys(window.Chart.instances).length") >= 5
    assert ui.page.locator("table caption", has_text="Current weekly spend by provider").count()

    # Filter by provider: the page reloads with ?provider=.
    ui.page.get_by_label("Provider", exact=True).select_option(label="Bravo Care")
    ui.submit("Show")
    assert f"provider={world.provider_b.pk}" in ui.path
    # A chart's table is folded under it: open the scatter's.
    ui.page.locator("#fee-against-need-heading ~ details > summary").click()
    text = ui.page.locator("main").inner_text()
    assert "ALPHA-CHILD-B" in text
    assert "ALPHA-CHILD-OUT" not in text
    # The scatter draws its one placement at (needs 12, £3,500), sent as [x, y].
    scatter = ui.page.locator('canvas[data-chart="chart-data-fee-against-need"]')
    scatter.wait_for(state="visible")
    point = scatter.evaluate("c => Chart.getChart(c).getDatasetMeta(0).controller.getParsed(0)")
    assert (point["x"], point["y"]) == (12, 3500)

    # Download the spend by provider chart's figures.
    with ui.page.expect_download() as info:
        ui.page.locator("a[href*='chart=spend-by-provider']").click()
    download = info.value
    assert download.suggested_filename == "spend-by-provider.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows == [["Provider", "Placements", "Weekly spend (£)"], ["Bravo Care", "1", "3500.00"]]

    # The quarterly contract monitoring report, as PDF.
    report = report_generate(
        kind=Report.Kind.CONSORTIUM, consortium=world.consortium, period_start=date(2024, 4, 1)
    )
    ui.follow("Reports")
    with ui.page.expect_download() as info:
        ui.page.locator(f"a[href$='/reports/{report.pk}/report.pdf']").click()
    pdf = PdfReader(info.value.path())
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert world.consortium.name in text
