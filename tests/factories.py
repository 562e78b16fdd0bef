import factory
from allauth.account.models import EmailAddress

from dps.models import ApiClient, Membership, Organisation, Role, User
from dps.models.api import hash_key


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    kind = Organisation.Kind.PROVIDER
    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class ConsortiumFactory(OrganisationFactory):
    kind = Organisation.Kind.CONSORTIUM
    name = factory.Sequence(lambda n: f"Consortium {n}")


class BoroughFactory(OrganisationFactory):
    kind = Organisation.Kind.BOROUGH
    name = factory.Sequence(lambda n: f"Borough {n}")
    consortium = factory.SubFactory(ConsortiumFactory)


class ProviderFactory(OrganisationFactory):
    kind = Organisation.Kind.PROVIDER
    name = factory.Sequence(lambda n: f"Provider {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(BoroughFactory)
    role = Role.PLACEMENT_OFFICER


def make_api_client(organisation, *, can_write=True, name="Case system"):
    """An API client and its key, as an organisation admin would create it."""
    prefix, secret, key = ApiClient.new_key()
    client = ApiClient.objects.create(
        organisation=organisation,
        name=name,
        prefix=prefix,
        key_hash=hash_key(secret),
        can_write=can_write,
    )
    return client, key


class LotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "providers.Lot"

    # The personas' consortium (tests/conftest.py `world`), or a new one of that name.
    consortium = factory.SubFactory(ConsortiumFactory, slug="consortium")
    code = factory.Sequence(lambda n: f"lot-{n}")
    name = factory.Sequence(lambda n: f"Lot {n}")
    position = factory.Sequence(lambda n: n)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "providers.Application"

    provider = factory.SubFactory(ProviderFactory)
    lot = factory.SubFactory(LotFactory)
    status = "approved"


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """An enrolment on a lot, with the approved application it came from."""

    class Meta:
        model = "providers.Enrolment"

    provider = factory.SubFactory(ProviderFactory)
    lot = factory.SubFactory(LotFactory)
    application = factory.SubFactory(
        ApplicationFactory,
        provider=factory.SelfAttribute("..provider"),
        lot=factory.SelfAttribute("..lot"),
    )
    status = "active"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "providers.Service"

    provider = factory.SubFactory(ProviderFactory)
    service_type = "childrens_home"
    name = factory.Sequence(lambda n: f"Service {n}")
    ofsted_rating = "good"
    registered_places = 4


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "providers.Document"

    provider = factory.SubFactory(ProviderFactory)
    document_type = "public_liability"
    file = factory.django.FileField(filename="certificate.pdf", data=b"%PDF-1.4 test")
    original_name = "certificate.pdf"
    content_type = "application/pdf"
    size = 13


class DeclarationQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "providers.DeclarationQuestion"

    consortium = factory.SubFactory(ConsortiumFactory, slug="consortium")
    text = factory.Sequence(lambda n: f"Declaration {n}?")
    failing_answer = True
    on_fail = "review"


def scheduled_placement(
    *, borough, provider, start, weekly_fee, changes=(), end=None, planned_end=None, **fields
):
    """A started (or, with `end`, ended) placement with its schedule: the agreed fee from
    `start`, then each change (effective date, weekly fee[, kind]), as the services leave it."""
    from decimal import Decimal

    from placements.models import Fee, Placement
    from placements.services.fees import fee_agreed, fees_settle

    placement = Placement.objects.create(
        borough=borough,
        provider=provider,
        weekly_fee=Decimal(str(weekly_fee)),
        start_date=start,
        actual_start_date=start,
        planned_end_date=planned_end,
        end_date=end,
        status=Placement.Status.ENDED if end else Placement.Status.STARTED,
        child_reference=fields.pop("child_reference", f"C{start:%y%m%d}"),
        **fields,
    )
    fee_agreed(placement=placement)
    for change in changes:
        effective, fee, *kind = change
        Fee.objects.create(
            placement=placement,
            kind=kind[0] if kind else Fee.Kind.OTHER,
            effective_date=effective,
            weekly_fee=Decimal(str(fee)),
            reason="A change.",
        )
    fees_settle(placement)
    placement.refresh_from_db()
    return placement
