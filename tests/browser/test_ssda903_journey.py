"""A commissioner uploads the borough's SSDA903 return in a real browser: the return has
errors, the page lists them with their rule codes and lines, the commissioner imports the
valid children, and the dashboard shows that past year's DfE figures. The worker's tasks run
as the queue would run them, after the request's commit."""

import pytest

from monitoring import tasks
from monitoring.services import kpis, ssda903
from tests.monitoring.ssda903_helpers import EPISODES, HEADER, ep, hd

pytestmark = pytest.mark.browser
YEAR = 2026  # the year ending 31 March 2026: complete by the time these tests run

HEADER_FILE = (
    HEADER
    + hd("C1", sex="M", dob="01/01/2012", upn="A123456789012")
    + hd("C2", sex="F", dob="01/01/2013", upn="A123456789013", mother="0")
    # Born after the end of the return year: an impossible date of birth.
    + hd("C3", sex="M", dob="01/01/2031", upn="A123456789014")
)
EPISODES_FILE = (
    EPISODES
    # C1: three carers during the year: 3 or more placements.
    + ep("C1", "10/04/2025", place="U4", urn="SC111111", dec="01/08/2025", rec="X1",
         reason="CARPL", pl="BR1 3AA", home="SE5 8AA")
    + ep("C1", "01/08/2025", rne="P", place="K2", urn="SC222222", dec="15/01/2026", rec="X1",
         reason="CREQB", pl="BR2 9AA", home="SE5 8AA")
    + ep("C1", "15/01/2026", rne="P", place="U6", urn="SC333333", pl="BR1 3AA", home="SE5 8AA")
    # C2: one placement all year.
    + ep("C2", "01/06/2024", place="U4", urn="SC111111", pl="BR1 3AA", home="SE5 8AA")
    + ep("C3", "01/06/2025", place="U4", urn="SC111111", pl="BR1 3AA", home="SE5 8AA")
)  # fmt: skip


@pytest.fixture
def worker(monkeypatch):
    """The queue's worker: each task queued after a commit runs at once, in the server."""
    monkeypatch.setattr(ssda903, "enqueue_validation", tasks.ssda903_validate_task)
    monkeypatch.setattr(ssda903, "enqueue_import", tasks.ssda903_import_task)
    monkeypatch.setattr(kpis, "enqueue_run", tasks.kpis_recompute)


def test_a_commissioner_uploads_a_return_with_errors_imports_the_valid_children_and_sees_the_year(
    ui, world, worker, tmp_path
):
    header, episodes = tmp_path / "header.csv", tmp_path / "episodes.csv"
    header.write_text(HEADER_FILE)
    episodes.write_text(EPISODES_FILE)
    ui.sign_in(world.commissioner_a)
    ui.follow("SSDA903 returns")
    assert ui.heading() == "SSDA903 returns"
    ui.page.get_by_label("Header file", exact=True).set_input_files(header)
    ui.page.get_by_label("Episodes file", exact=True).set_input_files(episodes)
    ui.page.get_by_label("Return year", exact=True).select_option(str(YEAR))
    # The DfE's rules run while the browser waits (the worker here is the server itself).
    ui.submit("Upload and check", timeout=60_000)

    # The return is checked: C3's date of birth is named with its file, line and rule.
    assert ui.heading() == f"SSDA903 return for the year ending 31 March {YEAR}"
    main = ui.page.locator("main").inner_text()
    assert "Checked: waiting for your decision" in main
    assert "C3" in main
    assert "DPS" in main  # our own check's code
    ui.submit("Import the 2 valid children", timeout=60_000)
    main = ui.page.locator("main").inner_text()
    assert "Imported" in main

    # The dashboard, for that year: the DfE's measures of the 2 children imported.
    ui.follow("Dashboard")
    ui.page.get_by_label("Return year", exact=True).select_option(str(YEAR))
    ui.submit("Show")
    dfe = ui.page.locator("table", has_text="The DfE's measures")
    text = dfe.inner_text()
    assert f"Year ending 31 March {YEAR}" in text
    row = dfe.locator("tr", has_text="Children looked after at the end of the period")
    assert "2" in row.locator("td").first.inner_text()
    row = dfe.locator("tr", has_text="Children with 3 or more placements in the year")
    assert "50" in row.locator("td").first.inner_text()
