"""The notices' pages: the consortium admin lists, drafts, exports and records them as
published; commissioners read; another consortium, officers, providers and anonymous users
are refused."""

import json
from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from dps.models import Role
from procurement.models import Notice
from procurement.services.notices import notices_sync
from tests.conftest import person
from tests.factories import ConsortiumFactory

from . import helpers as h

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


@pytest.fixture
def notices(world):
    h.arrangement(world)
    h.placement(world, "13000")
    notices_sync(consortium=world.consortium, today=TODAY)
    return {n.kind: n for n in Notice.objects.all()}


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@time_machine.travel(date(2026, 6, 1), tick=False)
def test_the_admin_lists_notices_filters_them_and_sees_the_overdue_in_red(world, notices):
    client = signed_in(world.admin)
    page = client.get(reverse("procurement:notice_list")).content.decode()
    assert page.count("govuk-tag--red") == 3  # UK13, UK14 and UK6 are past due; UK7 is not
    assert "Placement above the light-touch threshold entered into" in page  # UK7's event
    only = client.get(reverse("procurement:notice_list"), {"kind": "UK7"}).content.decode()
    assert "Award of a placement above" not in only  # UK6's event
    assert "Placement above the light-touch threshold entered into" in only
    bad = client.get(reverse("procurement:notice_list"), {"status": "nonsense", "page": "x"})
    assert bad.status_code == 200


def test_each_notice_says_what_it_is_about_and_nothing_of_the_child(world, notices):
    client = signed_in(world.admin)
    about = "Alpha Borough: placement with Alpha Care (Residential homes) from 6 April 2026"
    listed = client.get(reverse("procurement:notice_list")).content.decode()
    detail = client.get(
        reverse("procurement:notice_detail", args=[notices["UK6"].pk])
    ).content.decode()

    assert f"{about}, £13,000.00 a week" in listed
    assert f"{about}, £13,000.00 a week" in detail
    assert "Conditions of membership" not in listed  # the market's own notices name no subject
    assert "CHILD-REF-77" not in listed + detail


def test_the_admin_drafts_exports_and_publishes_a_notice(world, notices):
    client = signed_in(world.admin)
    uk6 = notices["UK6"]
    response = client.post(reverse("procurement:notice_draft", args=[uk6.pk]))
    assert response.status_code == 302
    detail = client.get(reverse("procurement:notice_detail", args=[uk6.pk])).content.decode()
    assert "Alpha Care" in detail
    assert "676000.00" in detail
    assert "CHILD-REF-77" not in detail

    export = client.get(reverse("procurement:notice_export", args=[uk6.pk]))
    assert (
        export["Content-Disposition"] == f'attachment; filename="find-a-tender-uk6-{uk6.pk}.json"'
    )
    document = json.loads(export.content)
    assert document["noticeType"] == "UK6"
    assert document["fields"]["supplier"]["name"] == "Alpha Care"

    url = reverse("procurement:notice_publish", args=[uk6.pk])
    bad = client.post(url, {"fts_notice_id": "12-2026"})
    assert bad.status_code == 400
    assert "like 012345-2026" in bad.content.decode()
    assert client.post(url, {"fts_notice_id": "012345-2026"}).status_code == 302
    uk6.refresh_from_db()
    assert (uk6.status, uk6.fts_notice_id) == ("published", "012345-2026")


def test_a_commissioner_reads_but_cannot_draft_or_publish(world, notices):
    client = signed_in(world.commissioner_b)
    uk6 = notices["UK6"]
    assert client.get(reverse("procurement:notice_list")).status_code == 200
    assert client.get(reverse("procurement:notice_detail", args=[uk6.pk])).status_code == 200
    assert client.post(reverse("procurement:notice_draft", args=[uk6.pk])).status_code == 403
    publish = reverse("procurement:notice_publish", args=[uk6.pk])
    assert client.post(publish, {"fts_notice_id": "012345-2026"}).status_code == 403


def test_others_are_refused(world, notices):
    other = ConsortiumFactory(slug="other", name="Other Consortium")
    other_admin = person("admin@other.test", other, Role.CONSORTIUM_ADMIN, admin=True)
    uk6 = notices["UK6"]
    detail = reverse("procurement:notice_detail", args=[uk6.pk])
    assert signed_in(other_admin).get(detail).status_code == 404
    listed = signed_in(other_admin).get(reverse("procurement:notice_list")).content.decode()
    assert "Award of a placement above" not in listed
    for user in (world.officer_a, world.provider_admin_a):
        assert signed_in(user).get(detail).status_code == 403
        assert signed_in(user).get(reverse("procurement:notice_list")).status_code == 403
    anonymous = Client().get(detail)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_the_admin_has_a_navigation_link(world):
    page = signed_in(world.admin).get(reverse("home")).content.decode()
    assert reverse("procurement:notice_list") in page
    page = signed_in(world.officer_a).get(reverse("home")).content.decode()
    assert reverse("procurement:notice_list") not in page


@time_machine.travel(date(2026, 6, 1), tick=False)
def test_the_dashboard_shows_the_notices_due_and_overdue(world, notices):
    page = signed_in(world.commissioner_a).get(reverse("monitoring:dashboard")).content.decode()
    assert 'id="notices"' in page
    # UK13 (due 1 March), UK14 (7 March) and UK6 (6 April) are overdue; UK7 (4 August) is not
    # due within five days.
    assert page.count("Overdue</strong>") >= 3
    assert "Placement above the light-touch threshold entered into" not in page
    assert reverse("procurement:notice_detail", args=[notices["UK6"].pk]) in page
