"""A realistic national data set, generated from a seed and streamed into the database:
`manage.py seed_scale`. profile.py holds the sizes and distributions, loader.py writes rows in
batches (COPY on PostgreSQL), generate.py makes the rows.

A tool beside the product, like bench/: it may import every app, and no app imports it."""
