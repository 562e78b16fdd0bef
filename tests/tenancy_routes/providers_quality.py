"""Routes of the providers app's quality part, for tests/test_url_tenancy.py."""

from tests.tenancy_routes.providers_directory import ELSEWHERE, enrolled_elsewhere, scored_elsewhere
from tests.test_url_tenancy import Tenant

# A provider's own score pages: provider A's admin sees them; boroughs are refused (403) and
# provider B sees only its own (404 for provider A's snapshot).
OWN = {"victim": "provider_a", "owner": "provider_admin_a", "owner_sees": "Alpha Care"}
WEIGHTS = {"inspection": "50", "outcomes": "20", "compliance": "20", "responsiveness": "10"}

ROUTES = {
    "providers:quality_score": Tenant(kwargs={"setup": enrolled_elsewhere}, **OWN),
    "providers:quality_history": Tenant(kwargs={"setup": enrolled_elsewhere}, **OWN),
    "providers:quality_snapshot": Tenant(kwargs={"pk": scored_elsewhere}, **OWN),
    # The consortium's weights: its admin's alone.
    "providers:quality_weights": Tenant(
        owner="admin",
        owner_sees="Quality weights",
        post=WEIGHTS,
        changes=True,
        markers=("Test Consortium",),
        intruders=(
            "commissioner_a",
            "officer_a",
            "commissioner_b",
            "officer_b",
            "provider_admin_a",
            "bidder_a",
            "provider_admin_b",
            "bidder_b",
        ),
    ),
    # Scores of providers enrolled with the other consortium: none of the test consortium's.
    "api:providers:quality-scores": Tenant(kwargs={"setup": enrolled_elsewhere}, **ELSEWHERE),
}
