"""The OpenAPI document and its Swagger UI: public, valid, and working under our CSP."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

SCHEMA = "/api/schema/"
DOCS = "/api/docs/"


@pytest.fixture
def schema(client, db):
    response = client.get(SCHEMA, {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_the_schema_is_served_to_anyone(client, db):
    response = client.get(SCHEMA)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    assert "/api/v1/me/" in document["paths"]


def test_the_schema_is_served_whatever_credentials_are_sent(client, db):
    response = client.get(SCHEMA, headers={"Authorization": "Bearer not-a-key"})

    assert response.status_code == 200


def test_the_schema_validates_without_warnings(tmp_path, db):
    # Raises on an invalid document or on any warning from drf-spectacular.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))

    assert (tmp_path / "s.yml").read_text().startswith("openapi: 3")


def test_the_schema_declares_api_keys_as_bearer_tokens(schema):
    scheme = schema["components"]["securitySchemes"]["apiKey"]

    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    for _path, _method, operation in operations(schema):
        assert {"apiKey": []} in operation["security"]


def test_every_post_declares_the_idempotency_key_header(schema):
    posts = [op for _path, method, op in operations(schema) if method == "post"]

    assert posts
    for operation in posts:
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "Idempotency-Key" in headers
        assert {"409", "422"} <= set(operation["responses"])


def test_errors_are_declared_as_problem_details(schema):
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) >= {"type", "title", "status", "detail"}
    invitation = schema["paths"]["/api/v1/invitations/"]["post"]["responses"]
    assert invitation["400"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationProblem"
    }
    for _path, _method, operation in operations(schema):
        responses = operation["responses"]
        for code in ("401", "403", "429"):
            assert "application/problem+json" in responses[code]["content"]
        assert "Retry-After" in responses["429"]["headers"]


def test_a_list_declares_the_404_of_a_bad_cursor(schema):
    assert "404" in schema["paths"]["/api/v1/lots/"]["get"]["responses"]


def test_the_docs_page_renders_for_anyone(client, db):
    response = client.get(DOCS)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<div id="swagger-ui">' in html


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(client, db):
    html = client.get(DOCS).content.decode()

    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources
    for source in sources:
        assert source.startswith("/"), f"{source} is not on our origin"
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        path = f"drf_spectacular_sidecar/swagger-ui-dist/{asset}"
        assert f"/static/{path}" in sources
        assert finders.find(path), f"{path} is not among the static files"


def test_the_docs_page_has_no_inline_script_or_style_for_the_csp_to_block(client, db):
    response = client.get(DOCS)
    html = response.content.decode()

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "<style" not in html
    assert " style=" not in html
    for script in re.findall(r"<script[^>]*>", html):
        assert "src=" in script
    assert '<script src="/api/docs/?script="></script>' in html


def test_the_docs_start_up_script_is_served_as_javascript_and_points_at_the_schema(client, db):
    response = client.get(DOCS, {"script": ""})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in response.content.decode()
