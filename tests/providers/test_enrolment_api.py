"""The enrolment API: reads, scoped to the provider or to the consortium admin's lots."""

import pytest
from django.urls import reverse

from tests.conftest import person
from tests.factories import ApplicationFactory, ConsortiumFactory, EnrolmentFactory, LotFactory
from tests.providers import enrolment_helpers

lot = enrolment_helpers.lot
questions = enrolment_helpers.questions


@pytest.fixture
def applications(world, lot, questions):
    mine = ApplicationFactory(provider=world.provider_a, lot=lot, status="submitted")
    mine.answers.create(question=questions["review"], answer=True, detail="In 2023.")
    mine.transitions.create(from_status="draft", to_status="submitted", reason="")
    theirs = ApplicationFactory(provider=world.provider_b, lot=lot, status="draft")
    elsewhere = ApplicationFactory(
        provider=world.provider_a,
        lot=LotFactory(consortium=ConsortiumFactory(slug="other")),
        status="submitted",
    )
    return mine, theirs, elsewhere


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_a_provider_reads_only_its_own_applications(client, world, applications, api_key_for):
    mine, _, elsewhere = applications

    response = client.get(
        reverse("api:providers:applications"),
        HTTP_AUTHORIZATION=api_key_for(world.provider_a, can_write=False),
    )

    assert ids(response) == {mine.pk, elsewhere.pk}


def test_the_consortium_admin_reads_the_applications_to_its_lots(client, world, applications):
    mine, theirs, _ = applications
    client.force_login(world.admin)

    assert ids(client.get(reverse("api:providers:applications"))) == {mine.pk, theirs.pk}
    filtered = client.get(reverse("api:providers:applications"), {"status": "draft"})
    assert ids(filtered) == {theirs.pk}


def test_another_consortiums_admin_sees_none_of_them(client, world, applications):
    mine, _, elsewhere = applications
    other = person("admin@other.test", elsewhere.lot.consortium, "consortium_admin")
    client.force_login(other)

    assert ids(client.get(reverse("api:providers:applications"))) == {elsewhere.pk}
    detail = client.get(reverse("api:providers:application-detail", args=[mine.pk]))
    assert detail.status_code == 404


def test_the_detail_has_answers_with_their_verdict_and_the_history(client, world, applications):
    mine, _, _ = applications
    client.force_login(world.provider_admin_a)

    body = client.get(reverse("api:providers:application-detail", args=[mine.pk])).json()

    assert body["answers"][0]["fails"] is True
    assert body["answers"][0]["on_fail"] == "review"
    assert [t["to_status"] for t in body["transitions"]] == ["submitted"]


def test_boroughs_cannot_read_applications_or_enrolments(client, world, api_key_for):
    auth = api_key_for(world.borough_a)

    for name in ("api:providers:applications", "api:providers:enrolments"):
        assert client.get(reverse(name), HTTP_AUTHORIZATION=auth).status_code == 403


def test_enrolments_are_scoped_like_applications(client, world, lot):
    mine = EnrolmentFactory(provider=world.provider_a, lot=lot, status="suspended")
    theirs = EnrolmentFactory(provider=world.provider_b, lot=lot)

    client.force_login(world.provider_admin_a)
    assert ids(client.get(reverse("api:providers:enrolments"))) == {mine.pk}
    client.force_login(world.admin)
    assert ids(client.get(reverse("api:providers:enrolments"))) == {mine.pk, theirs.pk}
    assert ids(client.get(reverse("api:providers:enrolments"), {"lot": "not-a-number"})) == set()
