"""Security headers on every page, and no caching of pages or API answers that may carry
children's details."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, world):
    client.force_login(world.officer_a)
    return client


def csp_directives(response):
    policy = response["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", ["/", "/accounts/email/", "/accounts/2fa/"])
def test_signed_in_pages_carry_a_strict_content_security_policy(signed_in, path):
    response = signed_in.get(path)
    assert response.status_code == 200

    directives = csp_directives(response)

    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]


def test_the_login_page_carries_the_content_security_policy(client):
    response = client.get("/accounts/login/")

    directives = csp_directives(response)
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"]


def test_inline_scripts_on_a_page_carry_the_nonce_of_its_policy(signed_in):
    response = signed_in.get("/")
    nonces = [v for v in csp_directives(response)["script-src"] if v.startswith("'nonce-")]
    html = response.content.decode()

    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-") : -1]
    for chunk in html.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        if "src=" not in tag:
            assert f'nonce="{nonce}"' in tag


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/v1/me/"])
def test_pages_forbid_framing_and_sniffing_and_limit_the_referrer(signed_in, path):
    response = signed_in.get(path)

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_https_answers_carry_hsts_with_subdomains(signed_in):
    response = signed_in.get("/", secure=True)

    hsts = response["Strict-Transport-Security"]
    assert "includeSubDomains" in hsts
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 31536000


def test_plain_http_answers_carry_no_hsts(signed_in):
    response = signed_in.get("/")

    assert "Strict-Transport-Security" not in response


@pytest.mark.parametrize(
    "path",
    ["/", "/organisation/users/", "/accounts/email/", "/accounts/sessions/", "/api/v1/me/"],
)
def test_signed_in_pages_and_api_answers_are_not_stored(client, world, path):
    client.force_login(world.commissioner_a)

    response = client.get(path)

    assert response.status_code == 200
    cache_control = {v.strip() for v in response["Cache-Control"].split(",")}
    assert "no-store" in cache_control
    assert "private" in cache_control


def test_api_answers_to_api_keys_are_not_stored(client, world, api_key_for):
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=api_key_for(world.borough_a))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_refusals_are_not_stored_either(client, world):
    response = client.get("/api/v1/me/")

    assert response.status_code in (401, 403)
    assert "no-store" in response["Cache-Control"]
