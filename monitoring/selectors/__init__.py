"""Every read of the monitoring app, one module per part: what the dashboards, KPI pages,
placement timelines, visits, plans, reports and SSDA903 pages show. Selectors start from the
actor's tenancy (monitoring.access decides who may see which object); they never write."""
