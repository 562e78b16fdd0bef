"""Settings read from the environment: booleans parsed strictly, and the embedded mode's emails
written where the README says."""

from pathlib import Path

import pytest
from django.conf import settings

from .conftest import PRODUCTION, run_manage

PRINT = "from django.conf import settings; print(settings.{})"


@pytest.mark.parametrize("value", ["enabled", "ture", "2", "y e s"])
def test_a_boolean_setting_that_is_no_yes_or_no_word_stops_start_up(value):
    result = run_manage("check", **PRODUCTION, SECURE_SSL_REDIRECT=value)

    assert result.returncode != 0
    assert f"SECURE_SSL_REDIRECT={value!r} is not a boolean" in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"), [("off", "False"), ("FALSE", "False"), ("0", "False"), ("Yes", "True")]
)
def test_boolean_words_are_read_in_any_case(value, expected):
    result = run_manage(
        "shell", "-c", PRINT.format("SECURE_SSL_REDIRECT"), **PRODUCTION, SECURE_SSL_REDIRECT=value
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_the_embedded_mode_writes_emails_under_var_mail():
    result = run_manage("shell", "-c", PRINT.format("EMAIL_FILE_PATH"), DJANGO_ENV="local")

    assert result.returncode == 0, result.stderr
    written_to = Path(result.stdout.strip().splitlines()[-1])
    assert written_to == Path(settings.BASE_DIR) / "var" / "mail"


def test_a_folder_given_for_emails_is_used():
    result = run_manage(
        "shell",
        "-c",
        PRINT.format("EMAIL_FILE_PATH"),
        DJANGO_ENV="local",
        EMAIL_FILE_PATH="/srv/dps-mail",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "/srv/dps-mail"
