"""Routes of the providers app's enrolment part, for tests/test_url_tenancy.py."""

ROUTES = {}
