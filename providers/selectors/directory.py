"""Reads of the directory part: the providers a borough (or its consortium's admin) may browse,
their filters, and one provider's page."""

from collections.abc import Iterable

import django_filters
from django import forms
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from dps.filters import GovukFilterForm
from dps.models import Organisation
from dps.tenancy import Actor
from geography.selectors import Distance, distance_between, locate_council

from ..models import Enrolment, Lot, OfstedRating, QualityScore, Service
from ..needs import INDICATORS, SCORES
from .services import service_place

Kind = Organisation.Kind


def directory_consortium(actor: Actor | None) -> Organisation | None:
    """The consortium whose directory the actor may browse: boroughs' (people and case systems)
    and consortium admins'. Providers have none."""
    if actor is None or actor.is_provider:
        return None
    return actor.consortium


def latest_score(consortium: Organisation) -> QuerySet[QualityScore]:
    """The newest snapshot of the outer provider's score for the consortium."""
    return QualityScore.objects.filter(provider=OuterRef("pk"), consortium=consortium).order_by(
        "-computed_at", "-id"
    )


def directory_providers(actor: Actor | None) -> QuerySet[Organisation]:
    """The providers enrolled (active) on a lot of the actor's consortium, each with its latest
    quality score for that consortium, its active services counted, its vacancies summed and
    its active enrolments there prefetched: a constant number of queries per page."""
    consortium = directory_consortium(actor)
    if consortium is None:
        return Organisation.objects.none()
    enrolled = Enrolment.objects.filter(
        lot__consortium=consortium, status=Enrolment.Status.ACTIVE
    ).values("provider")
    services = (
        Service.objects.filter(provider=OuterRef("pk"), is_active=True)
        .order_by()
        .values("provider")
    )
    enrolments = (
        Enrolment.objects.filter(lot__consortium=consortium, status=Enrolment.Status.ACTIVE)
        .select_related("lot")
        .order_by("lot__position", "lot__name")
    )
    return (
        Organisation.objects.filter(kind=Kind.PROVIDER, pk__in=enrolled)
        .annotate(
            quality_score=Subquery(latest_score(consortium).values("total")[:1]),
            quality_score_at=Subquery(latest_score(consortium).values("computed_at")[:1]),
            services_count=Coalesce(Subquery(services.annotate(n=Count("pk")).values("n")), 0),
            vacancies_total=Coalesce(
                Subquery(services.annotate(n=Sum("vacancies")).values("n")), 0
            ),
        )
        .prefetch_related(Prefetch("enrolments", queryset=enrolments, to_attr="lots_enrolled"))
        .order_by(F("quality_score").desc(nulls_last=True), "name", "pk")
    )


def directory_services(provider: Organisation) -> QuerySet[Service]:
    return Service.objects.filter(provider=provider, is_active=True).order_by("name", "pk")


def distance_bands(actor: Actor | None, services: Iterable[Service]) -> dict[int, Distance]:
    """How far each service is from the borough's own area (the centre of its council's live
    postcodes), by service id: one query for the borough's centre, the rest worked from the
    services' grid references. Only a borough has an area: anyone else gets an empty answer."""
    if actor is None or not actor.is_borough:
        return {}
    home = locate_council(actor.organisation.la_code)
    return {service.pk: distance_between(home, service_place(service)) for service in services}


def directory_score(provider: Organisation, consortium: Organisation) -> QualityScore | None:
    """The provider's newest snapshot for the consortium, or None."""
    return (
        QualityScore.objects.filter(provider=provider, consortium=consortium)
        .select_related("consortium")
        .first()
    )


SORTS = [("score", "Quality score, highest first"), ("name", "Name, A to Z")]


class DirectoryFilter(django_filters.FilterSet):
    """Filters of the directory. The service filters (type, area, need, rating, vacancies)
    apply together to one service: a provider is listed if one of its active services meets
    them all."""

    lot = django_filters.ModelChoiceFilter(
        queryset=Lot.objects.none(), label="Lot", empty_label="Any lot", method="collect"
    )
    service_type = django_filters.ChoiceFilter(
        choices=Service.Type.choices, label="Service type", empty_label="Any", method="collect"
    )
    area = django_filters.ChoiceFilter(
        choices=[], label="Area (local authority)", empty_label="Any area", method="collect"
    )
    need = django_filters.ChoiceFilter(
        choices=[(code, label) for code, label, _ in INDICATORS],
        label="Need met",
        empty_label="Any need",
        method="collect",
    )
    need_score = django_filters.TypedChoiceFilter(
        choices=SCORES[1:],
        coerce=int,
        label="At a score of at least",
        method="collect",
        help_text="With a need chosen: services that can meet it at this score or higher.",
    )
    rating = django_filters.ChoiceFilter(
        choices=OfstedRating.choices, label="Ofsted rating", empty_label="Any", method="collect"
    )
    has_vacancies = django_filters.BooleanFilter(
        label="Only providers with a vacancy",
        widget=forms.CheckboxInput,
        method="collect",
    )
    sort = django_filters.ChoiceFilter(
        choices=SORTS, label="Sort by", empty_label=None, method="collect"
    )

    class Meta:
        model = Organisation
        fields: list[str] = []
        form = GovukFilterForm

    def __init__(self, data=None, queryset=None, *, request=None, actor=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        if actor is None and request is not None:
            from dps.tenancy import get_actor

            actor = get_actor(request)
        consortium = directory_consortium(actor)
        areas = (
            Service.objects.filter(
                is_active=True,
                provider__in=(queryset if queryset is not None else Organisation.objects.none())
                .order_by()
                .values("pk"),
            )
            .exclude(local_authority="")
            .order_by("local_authority")
            .values_list("local_authority", flat=True)
            .distinct()
        )
        # The choices are the form's (each form has its own copy of its fields): a filter's
        # field may have been built, and kept, before this (e.g. by the API's schema).
        self.form.fields["lot"].queryset = Lot.objects.filter(consortium=consortium)
        self.form.fields["area"].choices = [(a, a) for a in areas]  # "Any area" is added

    def collect(self, queryset, name, value):
        """Each filter only collects its value; filter_queryset applies them together."""
        return queryset

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        if data.get("lot"):
            queryset = queryset.filter(
                Exists(
                    Enrolment.objects.filter(
                        provider=OuterRef("pk"), lot=data["lot"], status=Enrolment.Status.ACTIVE
                    )
                )
            )
        service = Q()
        if data.get("service_type"):
            service &= Q(service_type=data["service_type"])
        if data.get("area"):
            service &= Q(local_authority=data["area"])
        if data.get("need"):
            # needs_met is {indicator: the highest score the service can meet}; the indicator
            # is one of the form's choices, so the lookup is safe. Works on SQLite and PostgreSQL.
            score = data.get("need_score") or 1
            service &= Q(**{f"needs_met__{data['need']}__gte": score})
        if data.get("rating"):
            service &= Q(ofsted_rating=data["rating"])
        if data.get("has_vacancies"):
            service &= Q(vacancies__gt=0)
        if service:
            matching = Service.objects.filter(service, provider=OuterRef("pk"), is_active=True)
            queryset = queryset.filter(Exists(matching))
        if data.get("sort") == "name":
            queryset = queryset.order_by("name", "pk")
        return queryset
