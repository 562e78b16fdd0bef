"""The IPA task retries what a later try may mend (the database or the disk unreachable for a
moment), with backoff and a maximum, and nothing else: a rendering bug fails at once."""

import pytest
from celery.utils import time as celery_time
from django.db import OperationalError

from placements import tasks
from placements.services import award as award_services
from tests.placements import helpers


@pytest.fixture
def placement(world):
    _, placement = helpers.awarded(world)
    return placement


def failing(monkeypatch, *errors):
    """ipa_ensure raising each of `errors` in turn, then succeeding; returns its calls."""
    calls = []

    def ipa_ensure(placement):
        calls.append(placement.pk)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return b"%PDF"

    monkeypatch.setattr(award_services, "ipa_ensure", ipa_ensure)
    return calls


def test_a_non_transient_error_is_not_retried(placement, monkeypatch):
    calls = failing(monkeypatch, ValueError("a bug in the template"))

    result = tasks.ipa_generate_task.apply(args=(placement.pk,))

    assert result.failed()
    assert isinstance(result.result, ValueError)
    assert calls == [placement.pk]


def test_a_transient_error_is_retried_until_the_task_succeeds(placement, monkeypatch):
    calls = failing(monkeypatch, OperationalError("server closed the connection"), OSError())

    result = tasks.ipa_generate_task.apply(args=(placement.pk,))

    assert result.successful()
    assert calls == [placement.pk] * 3


def test_a_transient_error_that_lasts_is_retried_at_most_max_retries_times(placement, monkeypatch):
    calls = failing(monkeypatch, *[OperationalError("the database is down")] * 10)

    result = tasks.ipa_generate_task.apply(args=(placement.pk,))

    assert result.failed()
    assert isinstance(result.result, OperationalError)
    assert len(calls) == 1 + tasks.ipa_generate_task.max_retries


def test_each_retry_waits_longer_than_the_one_before(placement, monkeypatch):
    task = tasks.ipa_generate_task
    waits, retry = [], task.retry

    def spy(*args, **kwargs):
        waits.append(kwargs["countdown"])
        return retry(*args, **kwargs)

    monkeypatch.setattr(task, "retry", spy)
    # The jitter draws each wait from 0 to the backoff's bound: here, always the bound.
    monkeypatch.setattr(celery_time.random, "randrange", lambda stop: stop - 1)
    failing(monkeypatch, *[OperationalError("the database is down")] * 10)

    task.apply(args=(placement.pk,))

    assert waits == [1, 2, 4, 8, 16, 32]  # the last is refused: max_retries is reached
