"""The consortium's published notices and the awards made through it, as Open Contracting Data
Standard (OCDS) 1.1 open data: releases (releases.py), their packages and the compiled records
(packages.py), over the release schema and the extensions it uses (schema.py).

Nothing here reads a child's data: a release describes the arrangement, the service, the lot, the
value and the provider (tests/procurement/test_ocds.py searches the output for every child
field)."""
