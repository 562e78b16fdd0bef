"""Personas, built once per test: a consortium admin; boroughs A and B with a commissioner, a
placement officer and a finance officer each; providers A and B with an admin and a bidder
each."""

from types import SimpleNamespace

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from dps.models import Role
from tests.factories import (
    BoroughFactory,
    ConsortiumFactory,
    MembershipFactory,
    ProviderFactory,
    UserFactory,
    make_api_client,
)

PASSWORD = "correct-horse-battery"
# The demo data, seeded once for a module that asks for it (tests/demo_data.py).
pytest_plugins = ["tests.demo_data", "tests.geography.directory"]


def pytest_sessionstart(session):
    # With REQUIRE_SERVICES=1 (as in CI) a missing PostgreSQL or Redis fails the whole run
    # instead of quietly skipping the integration tests.
    from tests.integration.services import require_services

    require_services()


def person(email, organisation, role, *, admin=False, mfa=True):
    user = UserFactory(email=email)
    MembershipFactory(user=user, organisation=organisation, role=role, is_org_admin=admin)
    if mfa:
        user.totp_secret = generate_totp_secret()
        TOTP.activate(user, user.totp_secret)
    return user


@pytest.fixture
def world(db):
    consortium = ConsortiumFactory(slug="consortium", name="Test Consortium")
    borough_a = BoroughFactory(slug="borough-a", name="Alpha Borough", consortium=consortium)
    borough_b = BoroughFactory(slug="borough-b", name="Bravo Borough", consortium=consortium)
    provider_a = ProviderFactory(slug="provider-a", name="Alpha Care")
    provider_b = ProviderFactory(slug="provider-b", name="Bravo Care")
    w = SimpleNamespace(
        consortium=consortium,
        borough_a=borough_a,
        borough_b=borough_b,
        provider_a=provider_a,
        provider_b=provider_b,
    )
    w.admin = person("admin@consortium.test", consortium, Role.CONSORTIUM_ADMIN, admin=True)
    w.commissioner_a = person("commissioner@a.test", borough_a, Role.COMMISSIONER, admin=True)
    w.officer_a = person("officer@a.test", borough_a, Role.PLACEMENT_OFFICER)
    w.commissioner_b = person("commissioner@b.test", borough_b, Role.COMMISSIONER, admin=True)
    w.officer_b = person("officer@b.test", borough_b, Role.PLACEMENT_OFFICER)
    w.finance_a = person("finance@a.test", borough_a, Role.FINANCE_OFFICER)
    w.finance_b = person("finance@b.test", borough_b, Role.FINANCE_OFFICER)
    w.provider_admin_a = person(
        "admin@provider-a.test", provider_a, Role.PROVIDER_ADMIN, admin=True, mfa=False
    )
    w.bidder_a = person("bidder@provider-a.test", provider_a, Role.BIDDER, mfa=False)
    w.provider_admin_b = person(
        "admin@provider-b.test", provider_b, Role.PROVIDER_ADMIN, admin=True, mfa=False
    )
    w.bidder_b = person("bidder@provider-b.test", provider_b, Role.BIDDER, mfa=False)
    return w


@pytest.fixture
def api_key_for():
    """api_key_for(organisation, can_write=True) -> the Authorization header value."""

    def make(organisation, can_write=True):
        _client, key = make_api_client(organisation, can_write=can_write)
        return f"Bearer {key}"

    return make
