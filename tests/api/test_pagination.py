"""Cursor pagination: pages of page_size, a next link to follow, and no row seen twice or
skipped when rows are added while a client pages through."""

import base64

import pytest

from tests.factories import LotFactory, make_api_client

from .conftest import assert_problem

LOTS = "/api/v1/lots/"


@pytest.fixture
def auth(world):
    _client, key = make_api_client(world.provider_a, can_write=False)
    return {"Authorization": f"Bearer {key}"}


def make_lots(count, start=0):
    return [LotFactory(code=f"lot-{n}", name=f"Lot {n}") for n in range(start, start + count)]


def test_a_page_has_page_size_rows_and_a_link_to_the_next(client, auth):
    lots = make_lots(5)

    response = client.get(LOTS, {"page_size": 2}, headers=auth)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    assert [row["code"] for row in body["results"]] == [lots[4].code, lots[3].code]
    assert body["previous"] is None
    assert "cursor=" in body["next"]
    assert "page_size=2" in body["next"]


def test_following_next_links_visits_every_row_once(client, auth):
    lots = make_lots(7)
    seen, url, pages = [], LOTS + "?page_size=3", 0

    while url:
        body = client.get(url, headers=auth).json()
        seen += [row["code"] for row in body["results"]]
        url, pages = body["next"], pages + 1

    assert pages == 3
    assert seen == [lot.code for lot in reversed(lots)]


def test_rows_added_while_paging_do_not_shift_the_pages(client, auth):
    lots = make_lots(4)
    first = client.get(LOTS, {"page_size": 2}, headers=auth).json()

    make_lots(3, start=100)  # new rows land before the first page, not in the next one
    second = client.get(first["next"], headers=auth).json()

    assert [row["code"] for row in first["results"]] == [lots[3].code, lots[2].code]
    assert [row["code"] for row in second["results"]] == [lots[1].code, lots[0].code]
    assert second["next"] is None


def test_the_default_page_is_50_rows(client, auth):
    make_lots(51)

    body = client.get(LOTS, headers=auth).json()

    assert len(body["results"]) == 50
    assert body["next"]


def test_page_size_is_capped_at_200(client, auth):
    make_lots(201)

    body = client.get(LOTS, {"page_size": 1000}, headers=auth).json()

    assert len(body["results"]) == 200


@pytest.mark.parametrize("page_size", ["0", "-5", "abc", "", "null", "2.5"])
def test_a_nonsense_page_size_is_a_400_naming_the_field(client, auth, page_size):
    make_lots(3)

    response = client.get(LOTS, {"page_size": page_size}, headers=auth)

    body = assert_problem(response, 400)
    assert body["errors"] == {"page_size": ["Enter a whole number, 1 or more."]}


def test_the_schema_says_a_page_size_is_at_least_1(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    parameters = schema["paths"][LOTS]["get"]["parameters"]
    page_size = next(p for p in parameters if p["name"] == "page_size")
    assert page_size["schema"] == {"type": "integer", "minimum": 1}


@pytest.mark.parametrize(
    "position",
    ["abc", "1\x00", "\x00", "99999999999999999999999999", "-99999999999999999999999999", "1.5"],
)
def test_a_tampered_cursor_is_a_404_not_a_server_error(client, auth, position):
    make_lots(3)
    cursor = base64.b64encode(f"p={position}".encode()).decode()

    response = client.get(LOTS, {"cursor": cursor}, headers=auth)

    body = assert_problem(response, 404)
    assert body["detail"] == "Invalid cursor"


def test_a_cursor_with_a_valid_position_still_works(client, auth):
    lots = make_lots(3)
    cursor = base64.b64encode(f"p={lots[2].pk}".encode()).decode()

    body = client.get(LOTS, {"cursor": cursor}, headers=auth).json()

    assert [row["code"] for row in body["results"]] == [lots[1].code, lots[0].code]
