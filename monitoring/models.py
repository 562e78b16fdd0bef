"""Placement reviews, monitoring visits and KPIs live here."""
