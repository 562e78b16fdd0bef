"""Routes of the providers app's quality part, for tests/test_url_tenancy.py."""

ROUTES = {}
