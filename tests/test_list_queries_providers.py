"""The providers pages and endpoints that list rows answer in a fixed number of queries however
many rows there are: declaration questions, a provider's documents as its consortium admin
reads them, quality scores, an application's answers, documents and history, a provider's
services in the directory, lots, organisations."""

from decimal import Decimal

import pytest

from providers.models import Application, ApplicationAnswer, ApplicationTransition, QualityScore
from tests.factories import (
    ApplicationFactory,
    BoroughFactory,
    ConsortiumFactory,
    DeclarationQuestionFactory,
    DocumentFactory,
    EnrolmentFactory,
    LotFactory,
    ProviderFactory,
    ServiceFactory,
    UserFactory,
)
from tests.list_queries import assert_queries_do_not_grow, label, listed

# --- Rows -------------------------------------------------------------------------------------


def declaration_questions(world, n):
    return [
        DeclarationQuestionFactory(consortium=world.consortium, text=label("Do you agree")).text
        for _ in range(n)
    ]


def scores(world, n, provider=None):
    """Quality scores of provider A (or another provider enrolled on the consortium's lot)."""
    provider = provider or world.provider_a
    shown = []
    for _ in range(n):
        score = QualityScore.objects.create(
            provider=provider,
            consortium=world.consortium,
            total=Decimal("50"),
            inspection=Decimal("50"),
            outcomes=Decimal("50"),
            compliance=Decimal("50"),
            responsiveness=Decimal("50"),
            weights={"inspection": 40, "outcomes": 30, "compliance": 20, "responsiveness": 10},
            inputs={},
            trigger=label("Recomputed"),
        )
        shown.append(score.trigger)
    return shown


def own_scores(world, n):
    return scores(world, n)


def enrolled_providers_scores(world, n):
    """Scores of providers enrolled on the consortium's lot (a borough reads them)."""
    lot = LotFactory(consortium=world.consortium)
    shown = []
    for _ in range(n):
        provider = ProviderFactory(name=label("Scored Care"))
        EnrolmentFactory(provider=provider, lot=lot)
        shown += [provider.name, *scores(world, 1, provider)]
    return shown


def current_scores(world, n):
    """Provider A enrolled in n more consortia, with a current score in each."""
    shown = []
    for _ in range(n):
        consortium = ConsortiumFactory(name=label("Consortium"), slug=label("consortium"))
        EnrolmentFactory(provider=world.provider_a, lot=LotFactory(consortium=consortium))
        QualityScore.objects.create(
            provider=world.provider_a,
            consortium=consortium,
            total=Decimal("50"),
            inspection=Decimal("50"),
            outcomes=Decimal("50"),
            compliance=Decimal("50"),
            responsiveness=Decimal("50"),
            weights={"inspection": 40, "outcomes": 30, "compliance": 20, "responsiveness": 10},
            inputs={},
            trigger="test",
        )
        shown.append(consortium.name)
    return shown


def applications_of_status(status):
    def applications(world, n):
        """Applications of other providers to the consortium's lots, in the given state."""
        shown = []
        for _ in range(n):
            application = ApplicationFactory(
                provider=ProviderFactory(name=label("Applying Care")),
                lot=LotFactory(consortium=world.consortium, name=label("Lot")),
                status=status,
            )
            shown += [application.provider.name, application.lot.name]
        return shown

    applications.__name__ = f"{status}_applications"
    return applications


def own_applications(world, n):
    """Provider A's applications to the consortium's lots."""
    shown = []
    for _ in range(n):
        lot = LotFactory(consortium=world.consortium, name=label("Lot"))
        ApplicationFactory(provider=world.provider_a, lot=lot, status=Application.Status.SUBMITTED)
        shown.append(lot.name)
    return shown


def open_lots(world, n):
    """Active lots of the consortium that provider A may apply to (the form offers each)."""
    return [
        LotFactory(consortium=world.consortium, name=label("Open lot"), is_active=True).name
        for _ in range(n)
    ]


def lots(world, n):
    return [LotFactory(consortium=world.consortium, name=label("Lot")).name for _ in range(n)]


def overseen_organisations(world, n):
    """Boroughs of the consortium, and providers enrolled on its lots."""
    lot = LotFactory(consortium=world.consortium)
    shown = []
    for _ in range(n):
        borough = BoroughFactory(consortium=world.consortium, name=label("Borough"))
        provider = ProviderFactory(name=label("Enrolled Care"))
        EnrolmentFactory(provider=provider, lot=lot)
        shown += [borough.name, provider.name]
    return shown


# --- Scenarios on one record ------------------------------------------------------------------


def provider_documents(path):
    """A provider that applied to the consortium's lot: a current document, and earlier ones
    it renewed, each uploaded by a different person (the page's history lists them)."""

    def scenario(world):
        provider = ProviderFactory(name="Applying Care")
        ApplicationFactory(provider=provider, lot=LotFactory(consortium=world.consortium))
        current = DocumentFactory(provider=provider)

        def more(n):
            shown = []
            for _ in range(n):
                document = DocumentFactory(
                    provider=provider,
                    superseded_by=current,
                    original_name=label("certificate") + ".pdf",
                    uploaded_by=UserFactory(full_name=label("Uploader")),
                )
                shown.append(document.original_name)
                if not path.startswith("/api/"):
                    shown.append(document.uploaded_by.full_name)
            return shown

        return path.format(pk=provider.pk), more

    return scenario


def application(path):
    """Provider A's submitted application: n more questions answered, documents attached and
    changes of state, each by a different person."""

    def scenario(world):
        lot = LotFactory(consortium=world.consortium)
        record = ApplicationFactory(
            provider=world.provider_a, lot=lot, status=Application.Status.SUBMITTED
        )
        api = path.startswith("/api/")

        def more(n):
            shown = []
            for _ in range(n):
                question = DeclarationQuestionFactory(
                    consortium=world.consortium, text=label("Declaration")
                )
                ApplicationAnswer.objects.create(
                    application=record, question=question, answer=False, detail=label("Detail")
                )
                document = DocumentFactory(
                    provider=world.provider_a, original_name=label("evidence") + ".pdf"
                )
                record.documents.add(document)
                actor = UserFactory(full_name=label("Reviewer"))
                transition = ApplicationTransition.objects.create(
                    application=record,
                    from_status=Application.Status.DRAFT,
                    to_status=Application.Status.SUBMITTED,
                    actor=actor,
                    reason=label("Reason"),
                )
                shown += [question.text, transition.reason]
                shown += [str(document.pk)] if api else [document.original_name, actor.full_name]
            return shown

        return path.format(pk=record.pk), more

    return scenario


def directory_provider(path):
    """Provider A, enrolled on the consortium's lot, with n more active services."""

    def scenario(world):
        EnrolmentFactory(provider=world.provider_a, lot=LotFactory(consortium=world.consortium))

        def more(n):
            return [
                ServiceFactory(provider=world.provider_a, name=label("Alpha Home")).name
                for _ in range(n)
            ]

        return path.format(pk=world.provider_a.pk), more

    return scenario


# (persona, scenario, signed in with an API key of the persona's organisation)
SCENARIOS = [
    ("admin", listed("/consortium/declarations/", declaration_questions), False),
    (
        "admin",
        listed("/consortium/applications/?status=rejected", applications_of_status("rejected")),
        False,
    ),
    (
        "admin",
        listed("/consortium/applications/?status=approved", applications_of_status("approved")),
        False,
    ),
    ("admin", provider_documents("/consortium/providers/{pk}/documents/"), False),
    ("admin", provider_documents("/api/v1/providers/{pk}/documents/"), False),
    ("provider_admin_a", listed("/quality/", current_scores), False),
    ("provider_admin_a", listed("/quality/history/", own_scores), False),
    ("provider_admin_a", listed("/api/v1/quality-scores/", own_scores), True),
    ("officer_a", listed("/api/v1/quality-scores/", enrolled_providers_scores), True),
    ("provider_admin_a", application("/applications/{pk}/"), False),
    ("admin", application("/consortium/applications/{pk}/"), False),
    ("provider_admin_a", application("/api/v1/applications/{pk}/"), True),
    ("admin", application("/api/v1/applications/{pk}/"), False),
    ("provider_admin_a", listed("/api/v1/applications/", own_applications), True),
    ("officer_a", directory_provider("/directory/{pk}/"), False),
    ("officer_a", directory_provider("/api/v1/providers/{pk}/"), True),
    ("admin", directory_provider("/directory/{pk}/"), False),
    ("admin", directory_provider("/api/v1/providers/{pk}/"), True),
    ("provider_admin_a", listed("/applications/new/", open_lots), False),
    ("officer_a", listed("/api/v1/lots/", lots), True),
    ("provider_admin_a", listed("/api/v1/lots/", lots), True),
    ("admin", listed("/api/v1/organisations/", overseen_organisations), False),
]


@pytest.mark.parametrize(
    ("persona", "scenario", "api_key"),
    SCENARIOS,
    ids=[f"{p}-{s.__name__}-{i}" for i, (p, s, _) in enumerate(SCENARIOS)],
)
def test_a_list_answers_in_the_same_number_of_queries_for_more_rows(
    client, world, persona, scenario, api_key
):
    assert_queries_do_not_grow(client, world, persona, scenario, api_key)
