"""The money report's page, CSV and PDF: the same figures, for commissioners and the
consortium admin only."""

import csv
import io
from datetime import date

import pytest
import time_machine

from tests.finance.test_money import TODAY, money  # noqa: F401  (the fixture)


@pytest.fixture
def client_of(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@time_machine.travel(TODAY, tick=False)
def test_the_page_shows_each_lot_and_the_totals_in_pounds(world, money, client_of):  # noqa: F811
    response = client_of(world.commissioner_a).get("/finance/money/")

    text = response.content.decode()
    assert response.status_code == 200
    assert "Money: financial year 2025-26" in text
    assert "£13,578.57" in text  # Residential's forecast
    assert "£20,528.57" in text  # the forecast's total
    assert "Bravo Care" in text


@time_machine.travel(TODAY, tick=False)
def test_a_year_not_on_the_list_is_refused_with_the_current_year_shown(world, client_of):
    response = client_of(world.commissioner_a).get("/finance/money/?year_ending=1999")

    assert response.status_code == 400
    assert "Choose a financial year from the list." in response.content.decode()
    assert "Money: financial year 2025-26" in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_the_csv_holds_the_figures_to_the_penny(world, money, client_of):  # noqa: F811
    response = client_of(world.commissioner_a).get("/finance/money/csv/?year_ending=2026")

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[1] == [
        "2025-26",
        "By lot",
        "Residential",
        "8150.00",
        "13578.57",
        "9928.57",
        "0.00",
        "3000.00",
        "100.00",
    ]
    assert rows[-1][:4] == ["2025-26", "Total", "All placements", "19200.00"]


@time_machine.travel(TODAY, tick=False)
def test_the_pdf_is_rendered(world, money, client_of):  # noqa: F811
    response = client_of(world.admin).get("/finance/money/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "who", ["officer_a", "finance_a", "provider_admin_a", "bidder_b", "finance_b"]
)
@pytest.mark.parametrize("path", ["/finance/money/", "/finance/money/csv/", "/finance/money/pdf/"])
def test_only_commissioners_and_the_admin_read_it(world, client_of, who, path):
    assert client_of(getattr(world, who)).get(path).status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client, db):
    response = client.get("/finance/money/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_year_choice_defaults_to_the_current_year(world, client_of):
    with time_machine.travel(date(2026, 4, 1), tick=False):
        response = client_of(world.commissioner_a).get("/finance/money/")

    assert "Money: financial year 2026-27" in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_the_admin_narrows_the_report_to_one_borough_as_its_commissioner_sees_it(
    world,
    money,  # noqa: F811
    client_of,
):
    own = client_of(world.commissioner_a).get("/finance/money/csv/?year_ending=2026").content
    query = f"?year_ending=2026&borough={world.borough_a.pk}"
    narrowed = client_of(world.admin).get(f"/finance/money/csv/{query}").content
    page = client_of(world.admin).get(f"/finance/money/{query}").content.decode()

    assert narrowed == own
    assert "Alpha Borough</span>" in page
    assert f"/finance/money/pdf/?year_ending=2026&amp;borough={world.borough_a.pk}" in page


@time_machine.travel(TODAY, tick=False)
def test_a_borough_outside_the_consortium_is_refused(world, client_of):
    from tests.factories import BoroughFactory, ConsortiumFactory

    other = BoroughFactory(consortium=ConsortiumFactory())

    response = client_of(world.admin).get(f"/finance/money/?borough={other.pk}")

    assert response.status_code == 400
    assert "Choose one of the consortium&#x27;s boroughs." in response.content.decode()
    # A commissioner's report is their own borough's, whatever is asked.
    asked = client_of(world.commissioner_a).get(f"/finance/money/?borough={world.borough_b.pk}")
    assert asked.status_code == 200
    assert "Alpha Borough</span>" in asked.content.decode()
