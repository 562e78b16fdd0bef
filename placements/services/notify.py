"""Who is told what: the people of a provider or a borough, and the emails the competition
sends. Emails go through the outbox, so they leave only after the transaction commits and are
retried until delivered. None of them ever carries a bid, or how many there are, before the
deadline."""

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from django.urls import reverse

from dps.models import Membership, Role
from dps.services.emails import email_queue_template_many

from ..models import PlacementRequest

PROVIDER_ROLES = (Role.PROVIDER_ADMIN, Role.BIDDER)
BOROUGH_ROLES = (Role.PLACEMENT_OFFICER,)


def recipients(organisation_ids: Iterable[int], roles: Iterable[str]) -> dict[int, list[str]]:
    """{organisation id: [email, ...]} of the active people with one of `roles`; one query."""
    result: dict[int, list[str]] = {}
    rows = Membership.objects.filter(
        organisation_id__in=organisation_ids,
        role__in=roles,
        is_active=True,
        user__is_active=True,
    ).values_list("organisation_id", "user__email")
    for org, email in rows.order_by("user__email"):
        result.setdefault(org, []).append(email)
    return result


def notify_providers(
    provider_ids: Collection[int],
    template: str,
    context: Mapping[str, Any],
    key: str,
    *,
    path_for: Callable[[int], str] | None = None,
) -> None:
    """Email every bidder and admin of each provider. `key` makes each email once-only (a
    retried task does not send twice); `path_for(provider_id)` gives the link in the email.
    The emails are stored together: a request on a lot of a thousand providers is published
    in one insert, not a thousand."""
    from dps.models import Organisation

    providers = Organisation.objects.in_bulk(list(provider_ids))
    people = recipients(provider_ids, PROVIDER_ROLES)
    # One context per provider: its people get the same words, rendered once.
    contexts = {
        provider_id: {
            **context,
            "provider_name": providers[provider_id].name,
            "path": path_for(provider_id) if path_for else "",
        }
        for provider_id in people
    }
    email_queue_template_many(
        template=f"emails/{template}",
        emails=[
            {
                "to": to,
                "context": contexts[provider_id],
                "organisation": providers[provider_id],
                "dedupe_key": f"{key}:{provider_id}:{to}",
            }
            for provider_id, emails in people.items()
            for to in emails
        ],
    )


def notify_borough(
    placement_request: PlacementRequest, template: str, context: Mapping[str, Any], key: str
) -> None:
    """Email the borough's placement officers about their request, stored together (a large
    borough has dozens of officers)."""
    path = reverse("placements:request_detail", args=[placement_request.pk])
    people = recipients([placement_request.borough_id], BOROUGH_ROLES)
    context = {**context, "placement_request": placement_request, "path": path}
    email_queue_template_many(
        template=f"emails/{template}",
        emails=[
            {
                "to": to,
                "context": context,
                "organisation": placement_request.borough,
                "dedupe_key": f"{key}:{to}",
            }
            for to in people.get(placement_request.borough_id, [])
        ],
    )


def opportunity_path(placement_request: PlacementRequest) -> Callable[[int], str]:
    """The link a provider follows to the request: its invitation page."""
    from ..models import ProviderInvitation

    ids = dict(
        ProviderInvitation.objects.filter(request=placement_request).values_list(
            "provider_id", "pk"
        )
    )

    def path_for(provider_id: int) -> str:
        if provider_id in ids:
            return reverse("placements:opportunity_detail", args=[ids[provider_id]])
        return reverse("placements:opportunity_list")

    return path_for
