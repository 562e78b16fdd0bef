"""Fixtures of the SSDA903 tests."""

import pytest
import time_machine

from monitoring.services import ssda903_validate
from tests.monitoring.ssda903_helpers import TODAY


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def no_dfe_rules(monkeypatch):
    """Our checks only: the DfE's rules find nothing (tests of the import's semantics)."""

    def none(*, header_rows, episode_rows, year_ending, la_code):
        return ssda903_validate.DfeResult(ruleset_year=year_ending)

    monkeypatch.setattr(ssda903_validate, "dfe_rules_run", none)
