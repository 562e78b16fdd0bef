"""Routes of the providers app's services part, for tests/test_url_tenancy.py.

Provider A's service "Alpha Lodge" is the victim's object. List routes have no URL argument to
create it, so their `post` recipe creates it first (and returns the POST data, or None)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from providers.models import Application, Enrolment, Lot, RatingProposal, Service
from tests.test_url_tenancy import PROVIDER_MARKERS, Tenant

SERVICE_NAME = "Alpha Lodge"
SERVICE_URN = "SC900001"
MARKERS = (*PROVIDER_MARKERS, SERVICE_NAME, SERVICE_URN)
# The Ofsted import is the consortium admin's alone: everyone else is refused.
EVERYONE_BUT_THE_ADMIN = (
    "commissioner_a",
    "officer_a",
    "commissioner_b",
    "officer_b",
    "provider_admin_a",
    "bidder_a",
    "provider_admin_b",
    "bidder_b",
)


def alpha_lodge(world):
    service, _ = Service.objects.get_or_create(
        provider=world.provider_a,
        name=SERVICE_NAME,
        defaults={
            "service_type": Service.Type.CHILDRENS_HOME,
            "ofsted_urn": SERVICE_URN,
            "ofsted_rating": "good",
            "registered_places": 4,
            "vacancies": 1,
        },
    )
    return service


def alpha_correction(world):
    """Provider A, enrolled on the test consortium's lot, proposes a correction of Alpha Lodge's
    rating: the consortium admin's to decide."""
    service = alpha_lodge(world)
    lot, _ = Lot.objects.get_or_create(
        consortium=world.consortium, code="rated-homes", defaults={"name": "Rated homes"}
    )
    if not Enrolment.objects.filter(provider=world.provider_a, lot=lot).exists():
        application = Application.objects.create(
            provider=world.provider_a, lot=lot, status=Application.Status.APPROVED
        )
        Enrolment.objects.create(provider=world.provider_a, lot=lot, application=application)
    proposal, _ = RatingProposal.objects.get_or_create(
        service=service,
        status=RatingProposal.Status.PENDING,
        defaults={"rating": "outstanding", "note": "Ofsted's report of 1 February 2025."},
    )
    return proposal


def with_alpha_lodge(data):
    """A post recipe that first creates the victim's service; `data` may use it."""

    def recipe(world):
        service = alpha_lodge(world)
        return data(service) if callable(data) else data

    return recipe


SERVICE_FORM = {
    "service_type": "childrens_home",
    "name": "Alpha Lodge renamed",
    "ofsted_urn": SERVICE_URN,
    "registered_places": "4",
    "age_min": "8",
    "age_max": "17",
    "genders": "any",
    "postcode": "NB1 2AB",
    "need_physical_health": "2",
    "specialisms": ["autism"],
}


def ofsted_file(service):
    content = (
        f"URN,Overall effectiveness,Inspection date\n{service.ofsted_urn},Outstanding,1/2/2025\n"
    )
    return {"file": SimpleUploadedFile("ofsted.csv", content.encode(), "text/csv")}


def provider_route(**kwargs):
    return Tenant(victim="provider_a", owner="provider_admin_a", markers=MARKERS, **kwargs)


ROUTES = {
    # Pages
    "providers:services": provider_route(owner_sees=SERVICE_NAME, post=with_alpha_lodge(None)),
    "providers:service_create": provider_route(
        owner_sees="Add a service", post={**SERVICE_FORM, "name": "Alpha New"}, changes=True
    ),
    "providers:service": provider_route(kwargs={"pk": alpha_lodge}, owner_sees=SERVICE_NAME),
    "providers:service_edit": provider_route(
        kwargs={"pk": alpha_lodge}, owner_sees=SERVICE_NAME, post=SERVICE_FORM, changes=True
    ),
    "providers:service_deactivate": provider_route(
        kwargs={"pk": alpha_lodge}, owner_sees=SERVICE_NAME, post={}, changes=True
    ),
    "providers:service_reactivate": provider_route(
        kwargs={
            "pk": lambda world: Service.objects.create(
                provider=world.provider_a,
                name="Alpha Closed",
                service_type="childrens_home",
                is_active=False,
            )
        },
        get=False,
        post={},
        changes=True,
    ),
    "providers:vacancies": provider_route(
        owner_sees=SERVICE_NAME,
        post=with_alpha_lodge(lambda service: {f"service-{service.pk}": "3"}),
        changes=True,
    ),
    "providers:ofsted_import": Tenant(
        victim="provider_a",
        owner="admin",
        owner_sees="Ofsted import",
        post=with_alpha_lodge(ofsted_file),
        changes=True,
        markers=MARKERS,
        intruders=EVERYONE_BUT_THE_ADMIN,
    ),
    "providers:service_rating_propose": provider_route(
        kwargs={"pk": alpha_lodge},
        owner_sees=SERVICE_NAME,
        post={"rating": "outstanding", "note": "Ofsted's report of 1 February 2025."},
        changes=True,
    ),
    "providers:rating_proposals": Tenant(
        kwargs={"setup": alpha_correction},
        victim="provider_a",
        owner="admin",
        owner_sees=SERVICE_NAME,
        markers=MARKERS,
        intruders=EVERYONE_BUT_THE_ADMIN,
    ),
    "providers:rating_proposal": Tenant(
        kwargs={"pk": alpha_correction},
        victim="provider_a",
        owner="admin",
        owner_sees=SERVICE_NAME,
        post={"confirm": "1"},
        changes=True,
        markers=MARKERS,
        intruders=EVERYONE_BUT_THE_ADMIN,
    ),
    # API
    "api:providers:services": provider_route(
        owner_sees=SERVICE_NAME,
        post=with_alpha_lodge(
            {
                "service_type": "fostering",
                "name": "Alpha Fostering",
                "registered_places": 10,
                "age_min": 0,
                "age_max": 17,
                "postcode": "NB1 2AB",
            }
        ),
        changes=True,
    ),
    "api:providers:service": provider_route(kwargs={"pk": alpha_lodge}, owner_sees=SERVICE_NAME),
    "api:providers:service-vacancies": provider_route(
        kwargs={"pk": alpha_lodge}, get=False, post={"vacancies": 2}, changes=True
    ),
    "api:providers:service-rating-proposals": provider_route(
        kwargs={"pk": alpha_lodge},
        owner_sees=None,
        post={"rating": "outstanding", "note": "Ofsted's report of 1 February 2025."},
        changes=True,
    ),
}
