PROBLEM = "application/problem+json"


def assert_problem(response, status):
    """The answer is RFC 9457 problem details with this status."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    assert "detail" in body
    return body
