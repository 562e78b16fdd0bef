"""The monitoring app's forms, one module per part: kpis, lifecycle, plans, ssda903, visits."""
