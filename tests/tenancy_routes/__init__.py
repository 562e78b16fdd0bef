"""Route tables of the capability apps for tests/test_url_tenancy.py: each module holds a
ROUTES dict, keyed by route name, of PUBLIC, ACCOUNT or Tenant(...) entries."""
