"""Routes of the monitoring dashboards, for tests/test_url_tenancy.py.

Borough A's figures (unplanned endings 41.7%), its children's references and its corrective
action plan are the victim's; borough B sees its own figures and the consortium's only, and
providers are refused. A provider's own performance page is provider A's alone."""

from tests.monitoring.test_dashboards import (
    dashboard_world,
    market_world,
    performance_world,
)
from tests.test_url_tenancy import MARKERS as BOROUGH_MARKERS
from tests.test_url_tenancy import PROVIDER_MARKERS, Tenant

FIGURES = (*BOROUGH_MARKERS, "41.7%", "ALPHA-CHILD", "ALPHA-PLAN")

ROUTES = {
    "monitoring:dashboard": Tenant(kwargs={"setup": dashboard_world}, markers=FIGURES),
    "monitoring:market_position": Tenant(kwargs={"setup": market_world}, markers=FIGURES),
    "monitoring:provider_performance": Tenant(
        kwargs={"pk": performance_world}, owner_sees="ALPHA-PLAN", markers=FIGURES
    ),
    "monitoring:own_performance": Tenant(
        kwargs={"setup": performance_world},
        victim="provider_a",
        owner="provider_admin_a",
        owner_sees="35.5%",
        markers=(*PROVIDER_MARKERS, "35.5%", "ALPHA-PLAN"),
    ),
}
