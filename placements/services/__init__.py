"""Writes of the placements app, one module per step of the mini-competition."""
