"""The monitoring app's sections of the service navigation, by role."""


def items(actor):
    """(label, url name) pairs for the actor; each part adds its own."""
    result = []
    # Monitoring visits and corrective action plans: commissioners and the consortium admin
    # (shared across the consortium), and providers (their own).
    if actor.is_provider or actor.is_commissioner_or_admin:
        result += [
            ("Visits", "monitoring:visit_list"),
            ("Plans", "monitoring:plan_list"),
        ]
    # Quarterly reports: commissioners, the consortium admin and providers read them.
    if actor.api_client is None and (
        actor.role in {"commissioner", "consortium_admin"} or actor.is_provider
    ):
        result.append(("Reports", "monitoring:report_list"))
    # Dashboards: the commissioners' and the consortium admin's; a provider's own performance.
    if actor.api_client is None and actor.role in {"commissioner", "consortium_admin"}:
        result.append(("Dashboard", "monitoring:dashboard"))
    if actor.api_client is None and actor.is_provider:
        result.append(("Performance", "monitoring:own_performance"))
    # SSDA903 returns: the borough's commissioners and placement officers (child-level data).
    from .access import may_see_ssda903

    if may_see_ssda903(actor):
        result.append(("SSDA903 returns", "monitoring:ssda903_return_list"))
    # KPI runs and thresholds: the consortium admin's.
    if actor.api_client is None and actor.is_consortium_admin:
        result += [
            ("KPI runs", "monitoring:kpi_run_list"),
            ("KPI thresholds", "monitoring:kpi_thresholds"),
        ]
    return result
