"""Database expressions every app may use, working on SQLite and PostgreSQL alike."""

from django.db.models import DateField, Func, IntegerField, Value


class DaysBetween(Func):
    """Whole days from `start` to `end` (end - start), both dates."""

    output_field = IntegerField()
    arity = 2
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def day(value):
    """A date as a database value."""
    return Value(value, output_field=DateField())
