"""Writes of the services part."""
