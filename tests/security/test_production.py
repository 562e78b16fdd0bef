"""Production mode refuses to start without its secrets and hosts, and passes Django's
deployment checks with nothing to warn about."""

from .conftest import PRODUCTION, run_manage


def without(name):
    return {k: v for k, v in PRODUCTION.items() if k != name}


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", **without("SECRET_KEY"))

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "must be set" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_manage("check", **{**PRODUCTION, "SECRET_KEY": "too-short"})

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", **without("ALLOWED_HOSTS"))

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set in production" in result.stderr


def test_production_passes_the_deployment_checks_without_any_warning():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_turns_debug_off_even_if_asked_for_it():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE,"
        " settings.CSRF_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT)",
        **PRODUCTION,
        DEBUG="true",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False True True True"
