"""Placements, what an award becomes: views and their serializers."""
