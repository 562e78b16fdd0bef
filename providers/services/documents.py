"""Writes of the documents part."""
