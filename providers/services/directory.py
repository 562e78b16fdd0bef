"""Writes of the directory part."""
