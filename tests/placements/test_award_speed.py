"""The award answers at once: the placement, the request's status and the audit are written in
the award's transaction; the IPA's PDF (seconds of WeasyPrint) is made after commit by a
worker, or, where tasks run inline (the embedded mode has no worker), at the first download.
Before, the embedded mode rendered it inside the officer's request: 6.6 s in the browser."""

import pytest
from django.urls import reverse

from placements import tasks
from placements.models import Bid, Placement, PlacementRequest
from placements.services import ipa
from tests.placements import helpers

PDF = b"%PDF-1.4 a stand-in"


@pytest.fixture
def renders(monkeypatch):
    """Every IPA rendered: the render is replaced by a stand-in that records the placement."""
    rendered = []

    def render(placement):
        rendered.append(placement.pk)
        return PDF

    monkeypatch.setattr(ipa, "ipa_render", render)
    return rendered


@pytest.fixture
def queued(monkeypatch):
    """The placements whose IPA is sent to a worker."""
    sent = []

    class IpaTask:
        def apply_async(self, args, **options):
            sent.append(args[0])

    monkeypatch.setattr(tasks, "ipa_generate_task", IpaTask())
    return sent


@pytest.fixture
def inline_tasks(settings):
    """As in the embedded mode: no worker, every task runs inline when queued. Celery reads
    the Django setting as it goes; setting its own configuration too would outlive the test
    (set to what it read, True) and run every later test's tasks inline."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


def award_top(client, world):
    placement_request, _ = helpers.shortlisted(world)
    top = Bid.objects.get(request=placement_request, rank=1)
    client.force_login(world.officer_a)
    return client.post(reverse("placements:award", args=[placement_request.pk]), {"bid": top.pk})


def test_the_award_is_made_in_its_transaction_and_the_ipa_queued_after_commit(
    client, world, renders, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = award_top(client, world)

    assert response.status_code == 302
    placement = Placement.objects.get()
    assert placement.request.status == PlacementRequest.Status.AWARDED
    assert not placement.ipa_pdf
    assert queued == []  # nothing is sent to the worker before the award commits

    for callback in callbacks:
        callback()

    assert queued == [placement.pk]
    assert renders == []  # the worker renders it, not the officer's request


def test_where_tasks_run_inline_the_ipa_is_left_to_the_first_download(
    client, world, renders, inline_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = award_top(client, world)

    assert response.status_code == 302
    assert renders == []
    page = client.get(response["Location"]).content.decode()
    assert "the Individual Placement Agreement is being prepared" in page

    placement = Placement.objects.get()
    download = client.get(reverse("placements:placement_ipa", args=[placement.pk]))

    assert download.status_code == 200
    assert download.content == PDF
    assert renders == [placement.pk]
