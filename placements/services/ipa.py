"""The Individual Placement Agreement as a PDF (WeasyPrint).

The agreement is drawn from templates/placements/ipa.html: the parties, the child's reference
(never a name), the placement's lot, dates and weekly fee with its breakdown, the needs and the
outcomes agreed with how the provider said it meets each need, standard terms, the award, and a
signature block for each side.

Nothing is fetched while rendering: the template holds its own styles, has no links to load,
and the URL fetcher refuses every address. The text is set in an embedded font with its Unicode
map, so it can be searched, copied and read aloud; the PDF is tagged for assistive technology."""

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from dps.formatting import money
from providers.needs import DOMAINS, INDICATORS, SCORES

from ..models import Placement

SCORE_LABELS = dict(SCORES)


class FetchRefused(ValueError):
    pass


def _refuse(url, *args, **kwargs):
    """WeasyPrint's URL fetcher: the agreement loads nothing from anywhere."""
    raise FetchRefused(f"The placement agreement does not load {url}.")


def ipa_number(placement: Placement) -> str:
    return f"IPA-{placement.pk:06d}"


def _needs_and_outcomes(placement_request, bid):
    """Per Valuing Care domain: its indicators (score, what it means, how the provider meets
    it) and the outcome wanted."""
    needs = placement_request.needs or {}
    outcomes = placement_request.outcomes or {}
    met = (bid.needs_met if bid else None) or {}
    domains = []
    for code, label in DOMAINS:
        rows = []
        for indicator, indicator_label, domain in INDICATORS:
            if domain != code:
                continue
            score = needs.get(indicator)
            rows.append(
                {
                    "label": indicator_label,
                    "score": score,
                    "score_label": SCORE_LABELS.get(score, "Not scored"),
                    "how": met.get(indicator, ""),
                }
            )
        domains.append({"label": label, "rows": rows, "outcome": outcomes.get(code, "")})
    return domains


def ipa_context(placement: Placement) -> dict[str, Any]:
    """What the agreement shows, read from the placement, its bid and its request."""
    placement_request, bid = placement.request, placement.bid
    provider = placement.provider
    profile = getattr(provider, "provider_profile", None)
    borough = placement.borough
    awarded_by = placement.awarded_by
    return {
        "number": ipa_number(placement),
        "placement": placement,
        "placement_request": placement_request,
        "bid": bid,
        "borough": borough,
        "consortium": borough.consortium,
        "provider": provider,
        "profile": profile,
        "service": placement.service,
        "lot": placement.lot,
        "weekly_fee": money(placement.weekly_fee),
        "core_weekly_fee": money(bid.core_weekly_fee) if bid else "",
        "extra_staffing_cost": money(bid.extra_staffing_cost) if bid else "",
        "domains": _needs_and_outcomes(placement_request, bid) if placement_request else [],
        "awarded_by": (awarded_by.full_name or awarded_by.email) if awarded_by else "",
        "awarded_at": timezone.localtime(placement.awarded_at),
        "generated_at": timezone.localtime(),
    }


def ipa_html(placement: Placement) -> str:
    return render_to_string("placements/ipa.html", ipa_context(placement))


def ipa_render(placement: Placement) -> bytes:
    """The placement's Individual Placement Agreement as PDF bytes."""
    from weasyprint import HTML

    document = HTML(string=ipa_html(placement), base_url=None, url_fetcher=_refuse)
    return document.write_pdf(pdf_tags=True)
