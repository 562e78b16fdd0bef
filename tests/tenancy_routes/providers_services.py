"""Routes of the providers app's services part, for tests/test_url_tenancy.py."""

ROUTES = {}
