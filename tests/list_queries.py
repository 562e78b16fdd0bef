"""The check behind the tests/test_list_queries*.py files: a list, or a record's page or
endpoint that lists its rows (a timeline, questions, bids, actions), is requested with a few
rows and with several more, in the scope of the person reading it; the rows made must show in
the second answer, and the number of queries must be the same."""

from itertools import count

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_api_client
from tests.test_list_queries import count_queries

SEQ = count(1)


def label(prefix):
    """A text no other row's text contains ("Home 00012", never "Home 12" and "Home 1")."""
    return f"{prefix} {next(SEQ):05}"


def listed(path, make):
    """A list whose path does not depend on the rows: `make(world, n)` returns their texts."""

    def scenario(world):
        return path, lambda n: make(world, n)

    scenario.__name__ = make.__name__
    return scenario


def sign_in(client, user, api_key):
    """The headers to send: an API key of the user's organisation, or none (a session)."""
    if api_key:
        _client, key = make_api_client(user.membership.organisation, can_write=False)
        return {"Authorization": f"Bearer {key}"}
    client.force_login(user)
    return {}


def assert_queries_do_not_grow(client, world, persona, scenario, api_key):
    """`scenario(world)` returns (path, more): `more(n)` makes n more rows of the list and
    returns texts that show them (names, references, notes), each to be found in the answer."""
    headers = sign_in(client, getattr(world, persona), api_key)
    path, more = scenario(world)
    more(2)
    client.get(path, headers=headers)  # warm caches (sessions, content types, sites)
    few, _size = count_queries(client, path, headers)
    shown = more(8)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    body = response.content.decode()
    missing = [text for text in shown if text not in body]
    assert shown, f"{path}: the scenario made no rows to look for"
    assert not missing, f"{path} does not show the rows made for it: {missing}"
    assert len(queries) == few, f"{path}: {few} queries for a few rows, {len(queries)} for more"
