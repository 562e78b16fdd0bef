"""Fixture data the benchmarks make for themselves, in their own consortia (slugs "bench-..."):
providers actively enrolled on a lot, each with one children's home that fits any child.
Each call creates only what is missing, so a benchmark run again reuses them."""

from providers.needs import INDICATOR_CODES


def providers(slugs, name_of):
    """The provider organisations with these slugs (created as `name_of(slug)`), by slug."""
    from dps.models import Organisation

    have = set(Organisation.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    Organisation.objects.bulk_create(
        Organisation(slug=slug, name=name_of(slug), kind=Organisation.Kind.PROVIDER)
        for slug in slugs
        if slug not in have
    )
    Organisation.objects.filter(slug__in=slugs).update(is_active=True)
    return list(Organisation.objects.filter(slug__in=slugs).order_by("slug"))


def enrol(providers, lot):
    """Each provider actively enrolled on the lot (approved application and all); any other
    provider on the lot removed, so the lot holds exactly these."""
    from providers.models import Application, Enrolment

    Enrolment.objects.filter(lot=lot).exclude(provider__in=providers).update(
        status=Enrolment.Status.REMOVED
    )
    enrolled = set(Enrolment.objects.filter(lot=lot).values_list("provider_id", flat=True))
    missing = [p for p in providers if p.pk not in enrolled]
    applications = Application.objects.bulk_create(
        Application(provider=p, lot=lot, status=Application.Status.APPROVED) for p in missing
    )
    Enrolment.objects.bulk_create(
        Enrolment(provider=a.provider, lot=lot, application=a) for a in applications
    )
    Enrolment.objects.filter(lot=lot, provider__in=providers).update(status=Enrolment.Status.ACTIVE)


def home_services(providers, name, vacancies):
    """Each provider's children's home called `name`: active, ages 8 to 17, any gender, every
    need met at the highest score, with `vacancies` of its 4 places free."""
    from providers.models import Service

    have = set(
        Service.objects.filter(provider__in=providers, name=name).values_list(
            "provider_id", flat=True
        )
    )
    Service.objects.bulk_create(
        Service(provider=p, name=name, service_type=Service.Type.CHILDRENS_HOME)
        for p in providers
        if p.pk not in have
    )
    Service.objects.filter(provider__in=providers, name=name).update(
        is_active=True,
        age_min=8,
        age_max=17,
        genders=Service.Genders.ANY,
        registered_places=4,
        vacancies=vacancies,
        needs_met=dict.fromkeys(INDICATOR_CODES, 3),
    )
