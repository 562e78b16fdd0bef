"""Reads of the providers app, scoped to the actor (see dps.tenancy): one module per part."""
