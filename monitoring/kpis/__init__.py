"""The KPIs: each defined once here, with its formula in docs/kpis.md.

`KPIS` maps each code to a `Kpi`: its label, unit, direction (whether a higher value is better;
None: neither), the scopes and period kinds it is computed for, and its compute function. A
compute function takes (scope, periods, today) and makes ONE aggregation query for all those
periods, grouped by consortium and scope id; it returns a `Row` for each group's period that has
data (a denominator). The engine (monitoring.services.kpis) turns rows into KpiSnapshot rows.

value = numerator / denominator x scale for a ratio or mean; for a total (`total=True`) the value
is the numerator. With no denominator (no data) there is no value, never zero, and no row: most
services and providers have no data in most of the 51 periods, and building those rows took
longer than the query.
"""

from .base import KPIS, Kpi, Row, add_to, bucketed, grouped, register, rows_of

# isort: split
# Each module registers its KPIs as it is imported, in this order.
from . import compliance, education, market, outcomes, stability  # noqa: F401, I001
from . import distance  # noqa: F401
from . import dfe  # noqa: F401  (after the others: the order KPIS lists them in)

__all__ = ["KPIS", "Kpi", "Row", "add_to", "bucketed", "grouped", "register", "rows_of"]
