"""A borough's billing settings: its cycle, the anchor day its periods run from, its default
cost code and a cost code per lot of its consortium. Its commissioners and finance officers
change them (finance.access.may_change_billing)."""

import re
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dps.models import Organisation
from dps.services import DomainError
from dps.services.audit import audit_record
from dps.tenancy import Actor
from providers.models import Lot

from ..access import may_change_billing
from ..models import BillingSettings, CostCode

# What a council's ledger accepts as a cost code: letters, digits and . / - _ (no spaces at
# either end, no formula characters at the start).
COST_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./_ -]{0,39}$")
# An anchor is any day (a borough's periods may start on any weekday), within reason.
EARLIEST_ANCHOR = date(2000, 1, 1)


def cost_code_problem(code: str) -> str | None:
    if code and not COST_CODE.match(code):
        return (
            "A cost code is up to 40 letters, digits, spaces, full stops, slashes, hyphens or "
            "underscores, starting with a letter or digit."
        )
    return None


@transaction.atomic
def billing_settings_save(
    *,
    actor: Actor,
    borough: Organisation,
    cycle: str,
    anchor: date,
    default_cost_code: str = "",
    codes: dict[int, str] | None = None,
) -> BillingSettings:
    """Save the borough's settings and its lots' cost codes (a blank code: the lot uses the
    default). Invoices already sent keep the periods they were sent for."""
    if not may_change_billing(actor) or actor.organisation.pk != borough.pk:
        raise PermissionDenied("Only the borough's commissioners and finance officers can.")
    if cycle not in BillingSettings.Cycle.values:
        raise DomainError("Choose weekly or four-weekly.", "cycle")
    if anchor < EARLIEST_ANCHOR:
        raise DomainError("The first day of a billing period must be in 2000 or later.", "anchor")
    default_cost_code = default_cost_code.strip()
    if problem := cost_code_problem(default_cost_code):
        raise DomainError(problem, "default_cost_code")
    codes = {lot_id: (code or "").strip() for lot_id, code in (codes or {}).items()}
    lots = set(
        Lot.objects.filter(consortium=borough.consortium, pk__in=codes).values_list("pk", flat=True)
    )
    for lot_id, code in codes.items():
        if lot_id not in lots:
            raise DomainError("Choose a lot of the borough's consortium.", f"lot_{lot_id}")
        if problem := cost_code_problem(code):
            raise DomainError(problem, f"lot_{lot_id}")

    settings, _ = BillingSettings.objects.select_for_update().get_or_create(borough=borough)
    before = {
        "cycle": settings.cycle,
        "anchor": settings.anchor.isoformat(),
        "default_cost_code": settings.default_cost_code,
    }
    settings.cycle = cycle
    settings.anchor = anchor
    settings.default_cost_code = default_cost_code
    try:
        settings.full_clean()
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], name) from exc
    settings.save()

    held = {c.lot_id: c for c in CostCode.objects.filter(borough=borough, lot_id__in=codes)}
    changed = {}
    for lot_id, code in codes.items():
        current = held.get(lot_id)
        if not code:
            if current is not None:
                current.delete()
                changed[str(lot_id)] = ""
        elif current is None:
            CostCode.objects.create(borough=borough, lot_id=lot_id, code=code)
            changed[str(lot_id)] = code
        elif current.code != code:
            current.code = code
            current.save(update_fields=["code"])
            changed[str(lot_id)] = code
    audit_record(
        actor=actor,
        action="finance.billing_settings.save",
        obj=settings,
        detail={
            "before": before,
            "cycle": cycle,
            "anchor": anchor.isoformat(),
            "default_cost_code": default_cost_code,
            "lot_cost_codes": changed,
        },
    )
    return settings
