"""The consortium admin's settings of a lot for its mini-competitions: the evaluation weights
that rank the bids, the rule for bids over a request's budget, and the types of service that
serve the lot (and so are invited).

Bids are scored with the lot's weights when a request closes, and providers price their bids
knowing them and the budget rule; so neither can change while a request on the lot is open for
bids."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dps.services import DomainError
from dps.services.audit import audit_record
from dps.tenancy import Actor
from providers.models import Lot, Service

from ..selectors.lots import open_requests_on

WEIGHT_FIELDS = {
    "weight_quality": "quality",
    "weight_price": "price",
    "weight_needs": "needs fit",
    "weight_proximity": "proximity",
}
LOT_FIELDS = (*WEIGHT_FIELDS, "over_budget_rule", "service_types")
# The settings providers price their bids by.
PRICED_FIELDS = (*WEIGHT_FIELDS, "over_budget_rule")
TYPE_ORDER = list(Service.Type.values)


def _settings(lot):
    return {
        **{name: getattr(lot, name) for name in PRICED_FIELDS},
        "service_types": list(lot.service_types or []),
    }


def _clean_rule(value):
    if value not in Lot.OverBudget.values:
        raise DomainError("Choose what happens to a bid over the budget.", "over_budget_rule")
    return value


def _clean_weight(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise DomainError(
            f"Enter the {WEIGHT_FIELDS[name]} weight as a whole number from 0 to 100.", name
        )
    return value


def _clean_service_types(value):
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise DomainError("Choose the service types from the list.", "service_types")
    unknown = [v for v in value if v not in TYPE_ORDER]
    if unknown:
        raise DomainError(
            f"Unknown service type: {', '.join(map(str, unknown))}. Choose from the list.",
            "service_types",
        )
    return sorted(set(value), key=TYPE_ORDER.index)


@transaction.atomic
def lot_update(*, actor: Actor | None, lot: Lot, **fields: Any) -> Lot:
    """Set a lot's evaluation weights (whole percentages totalling 100), its rule for bids over
    a request's budget, and the service types that serve it (none: any type). Only an admin of
    the lot's consortium may; audited."""
    if (
        actor is None
        or not actor.is_consortium_admin
        or getattr(lot, "consortium_id", None) != actor.organisation.pk
    ):
        raise PermissionDenied("Only an admin of the lot's consortium can change the lot.")
    for name in fields:
        if name not in LOT_FIELDS:
            raise DomainError(f"{name} cannot be set here.", name)
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    before = _settings(lot)
    after = dict(before)
    for name in WEIGHT_FIELDS:
        if name in fields:
            after[name] = _clean_weight(name, fields[name])
    if "over_budget_rule" in fields:
        after["over_budget_rule"] = _clean_rule(fields["over_budget_rule"])
    if "service_types" in fields:
        after["service_types"] = _clean_service_types(fields["service_types"])
    total = sum(after[name] for name in WEIGHT_FIELDS)
    if total != 100:
        raise DomainError(f"The weights must total 100. They total {total}.", "weights")
    if after == before:
        return lot
    weights_changed = any(after[name] != before[name] for name in WEIGHT_FIELDS)
    if weights_changed and (count := open_requests_on(lot).count()):
        raise DomainError(
            "A request on this lot is open for bids and will be scored with the current "
            "weights. Change the weights once it has closed."
            if count == 1
            else f"{count} requests on this lot are open for bids and will be scored with the "
            "current weights. Change the weights once they have closed.",
            "weights",
        )
    if after["over_budget_rule"] != before["over_budget_rule"] and (
        count := open_requests_on(lot).count()
    ):
        raise DomainError(
            "A request on this lot is open for bids, priced under the current rule for bids "
            "over the budget. Change the rule once it has closed."
            if count == 1
            else f"{count} requests on this lot are open for bids, priced under the current "
            "rule for bids over the budget. Change the rule once they have closed.",
            "over_budget_rule",
        )
    for name, value in after.items():
        setattr(lot, name, value)
    try:
        lot.full_clean()
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    lot.save(update_fields=list(after))
    audit_record(
        actor=actor,
        action="lot.updated",
        obj=lot,
        detail={
            "from": before,
            "to": after,
            "changed": sorted(n for n in after if after[n] != before[n]),
        },
    )
    return lot
