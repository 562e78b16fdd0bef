"""Routes of the providers app's documents part, for tests/test_url_tenancy.py."""

ROUTES = {}
