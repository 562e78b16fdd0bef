"""Routes of the providers app's directory part, for tests/test_url_tenancy.py."""

ROUTES = {}
