"""Routes of the procurement app's open data, for tests/test_url_tenancy.py: public, without
sign-in. They show only what is published (notices and awards, never a child); the walk checks
they answer anyone and show none of the victim's markers when it has published nothing."""

from tests.test_url_tenancy import PUBLIC

ROUTES = {
    "procurement:ocds_index": PUBLIC,
    "procurement:ocds_releases": PUBLIC,
    "procurement:ocds_bulk": PUBLIC,
    "procurement:ocds_record": PUBLIC,
}
