"""Who may touch which of the finance app's objects, decided once here.

- A placement's schedule: the borough that holds the placement and the provider that runs it
  (placements_visible_to), never another tenant: the same 404 as one that does not exist.
- Invoices: the provider that sent one and the borough it is to. The provider's admins and
  bidders (and its systems) submit and amend; the borough's finance officers decide, export
  and record payment; the borough's commissioners read.
- Uplift rounds: the consortium admin opens them. Requests: the provider that made one, the
  borough whose placements it covers, and the consortium (which decides framework-wide rounds).
- The money report: commissioners (their borough) and the consortium admin (every borough).

`get_<thing>_for_actor(actor, pk, *, write=False)` returns the object or raises 404 ("not
yours" and "does not exist" alike); with `write`, 403 for a reader who may not change it."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from dps.models import Organisation, Role
from dps.tenancy import Actor, get_or_404
from placements.models import Placement
from placements.selectors import placements_visible_to

from .models import FinanceExport, Invoice, InvoiceLine, UpliftRequest, UpliftRound

# --- Schedules ------------------------------------------------------------------------------


def get_placement_for_actor(actor: Actor | None, pk) -> Placement:
    """A placement whose schedule the actor may read: the borough's or the provider's own."""
    if actor is None or not (actor.is_borough or actor.is_provider):
        raise Http404
    return get_or_404(
        placements_visible_to(actor).select_related("borough", "provider", "lot"), pk=pk
    )


# --- Invoices -------------------------------------------------------------------------------


def may_submit_invoices(actor: Actor | None) -> bool:
    return actor is not None and actor.is_bidder


def may_decide_invoices(actor: Actor | None) -> bool:
    return actor is not None and actor.is_finance_officer


def may_read_invoices(actor: Actor | None) -> bool:
    """The provider's people and systems; the borough's finance officers and commissioners."""
    if actor is None:
        return False
    if actor.is_provider:
        return True
    return actor.is_borough and (
        actor.is_finance_officer or (actor.is_person and actor.role == Role.COMMISSIONER)
    )


def invoices_visible_to(actor: Actor | None) -> QuerySet[Invoice]:
    if actor is None or not may_read_invoices(actor):
        return Invoice.objects.none()
    if actor.is_provider:
        return Invoice.objects.filter(provider=actor.organisation)
    return Invoice.objects.filter(borough=actor.organisation)


def get_invoice_for_actor(actor: Actor | None, pk, *, write: bool = False) -> Invoice:
    invoice = get_or_404(invoices_visible_to(actor).select_related("provider", "borough"), pk=pk)
    if write:
        provider = actor is not None and actor.is_provider
        allowed = may_submit_invoices(actor) if provider else may_decide_invoices(actor)
        if not allowed:
            raise PermissionDenied("You can read this invoice but not change it.")
    return invoice


def get_invoice_line_for_actor(
    actor: Actor | None, invoice_pk, pk, *, write: bool = False
) -> InvoiceLine:
    """A line of an invoice the actor may read (with `write`, change)."""
    invoice = get_invoice_for_actor(actor, invoice_pk, write=write)
    line = get_or_404(invoice.lines.select_related("placement"), pk=pk)
    line.invoice = invoice
    return line


def exports_visible_to(actor: Actor | None) -> QuerySet[FinanceExport]:
    """A borough's exports for its finance system: to its finance officers."""
    if actor is None or not may_decide_invoices(actor):
        return FinanceExport.objects.none()
    return FinanceExport.objects.filter(borough=actor.organisation)


def get_export_for_actor(actor: Actor | None, pk) -> FinanceExport:
    return get_or_404(exports_visible_to(actor), pk=pk)


# --- Uplifts --------------------------------------------------------------------------------


def may_open_rounds(actor: Actor | None) -> bool:
    return actor is not None and actor.is_person and actor.is_consortium_writer


def rounds_visible_to(actor: Actor | None) -> QuerySet[UpliftRound]:
    """A consortium's rounds: to its admin and boroughs; to every provider (any may enrol)."""
    if actor is None:
        return UpliftRound.objects.none()
    if actor.is_provider:
        return UpliftRound.objects.all()
    if actor.consortium is None:
        return UpliftRound.objects.none()
    return UpliftRound.objects.filter(consortium=actor.consortium)


def get_round_for_actor(actor: Actor | None, pk, *, write: bool = False) -> UpliftRound:
    found = get_or_404(rounds_visible_to(actor), pk=pk)
    if write and not may_open_rounds(actor):
        raise PermissionDenied("Only the consortium admin can change an uplift round.")
    return found


def uplift_requests_visible_to(actor: Actor | None) -> QuerySet[UpliftRequest]:
    if actor is None:
        return UpliftRequest.objects.none()
    if actor.is_provider:
        return UpliftRequest.objects.filter(provider=actor.organisation)
    if actor.is_consortium_admin:
        return UpliftRequest.objects.filter(round__consortium=actor.organisation)
    if actor.is_borough:
        return UpliftRequest.objects.filter(borough=actor.organisation)
    return UpliftRequest.objects.none()


def may_decide_uplift(actor: Actor | None, request: UpliftRequest) -> bool:
    """A borough-decided round: the borough's commissioners; a framework-wide round: the
    consortium admin."""
    if actor is None or not actor.is_person or not actor.can_write:
        return False
    if request.round.decided_by == UpliftRound.DecidedBy.CONSORTIUM:
        return actor.is_consortium_admin and request.round.consortium_id == actor.organisation.pk
    return (
        actor.is_borough
        and actor.role == Role.COMMISSIONER
        and request.borough_id == actor.organisation.pk
    )


def get_uplift_request_for_actor(actor: Actor | None, pk, *, write: bool = False) -> UpliftRequest:
    found = get_or_404(
        uplift_requests_visible_to(actor).select_related("round", "provider", "borough"), pk=pk
    )
    if write:
        allowed = (
            actor is not None and actor.is_bidder
            if actor is not None and actor.is_provider
            else may_decide_uplift(actor, found)
        )
        if not allowed:
            raise PermissionDenied("You can read this request but not decide it.")
    return found


# --- Reports --------------------------------------------------------------------------------


def may_read_money(actor: Actor | None) -> bool:
    return (
        actor is not None
        and actor.is_person
        and (actor.is_consortium_admin or (actor.is_borough and actor.role == Role.COMMISSIONER))
    )


def money_boroughs(actor: Actor) -> Q:
    """The placements a money report covers: the borough's own, or the consortium's."""
    if actor.is_consortium_admin:
        return Q(borough__consortium=actor.organisation)
    return Q(borough=actor.organisation)


def money_borough_choices(actor: Actor) -> QuerySet[Organisation] | None:
    """The boroughs the consortium admin may narrow the report to (None for a commissioner,
    whose report is their own borough's)."""
    if not actor.is_consortium_admin:
        return None
    return Organisation.objects.filter(consortium=actor.organisation).order_by("name")


def money_scope(actor: Actor, path: str, borough_id: int | None = None) -> Q:
    """`money_boroughs` for a model that reaches the borough by `path` ("placement__borough",
    "invoice__borough"); the consortium admin may narrow it to one of its boroughs."""
    if actor.is_consortium_admin:
        scope = Q(**{f"{path}__consortium": actor.organisation})
        return scope & Q(**{f"{path}_id": borough_id}) if borough_id else scope
    return Q(**{path: actor.organisation})


# --- Billing settings -----------------------------------------------------------------------


def may_read_billing(actor: Actor | None) -> bool:
    """A borough's people: its commissioners and finance officers change them, the rest read."""
    return actor is not None and actor.is_person and actor.is_borough


def may_change_billing(actor: Actor | None) -> bool:
    return (
        may_read_billing(actor)
        and actor is not None
        and actor.can_write
        and actor.role in (Role.COMMISSIONER, Role.FINANCE_OFFICER)
    )
