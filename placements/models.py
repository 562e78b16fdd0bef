"""Placement requests, bids, evaluation and awards live here."""
