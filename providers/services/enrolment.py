"""Writes of the enrolment part."""
