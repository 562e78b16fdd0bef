"""Routes of the providers app's enrolment part, for tests/test_url_tenancy.py.

The victim is provider A: its applications and enrolments on a lot of the personas'
consortium. Its own admin uses the provider pages; the consortium admin the review pages.
List routes take no URL arguments: their `kwargs` entry named "setup" (which no route uses)
only creates provider A's application, so that the list has something to show or leak."""

from tests.factories import ApplicationFactory, EnrolmentFactory, LotFactory
from tests.test_url_tenancy import PUBLIC, Tenant


def draft(world):
    return ApplicationFactory(provider=world.provider_a, lot=LotFactory(), status="draft")


def submitted(world):
    return ApplicationFactory(provider=world.provider_a, lot=LotFactory(), status="submitted")


def enrolment(world):
    return EnrolmentFactory(provider=world.provider_a, lot=LotFactory())


def question(world):
    from tests.factories import DeclarationQuestionFactory

    return DeclarationQuestionFactory(consortium=world.consortium, text="Alpha Care question?")


PROVIDER = {"victim": "provider_a", "owner": "provider_admin_a", "owner_sees": "Alpha Care"}
CONSORTIUM = {"victim": "provider_a", "owner": "admin", "owner_sees": "Alpha Care"}

ROUTES = {
    "providers:register": PUBLIC,
    "providers:register_done": PUBLIC,
    "providers:applications": Tenant(kwargs={"setup": draft}, **PROVIDER),
    "providers:application_new": Tenant(
        post=lambda world: {"lot": LotFactory().pk}, changes=True, **PROVIDER
    ),
    "providers:application_detail": Tenant(
        kwargs={"pk": draft},
        post={"action": "save", "supporting_statement": "We care."},
        changes=True,
        **PROVIDER,
    ),
    "providers:review_queue": Tenant(kwargs={"setup": submitted}, **CONSORTIUM),
    "providers:application_review": Tenant(
        kwargs={"pk": submitted},
        post={"decision": "more_info", "reason": "Send your latest accounts."},
        changes=True,
        **CONSORTIUM,
    ),
    "providers:enrolment_list": Tenant(kwargs={"setup": enrolment}, **CONSORTIUM),
    "providers:enrolment_manage": Tenant(
        kwargs={"pk": enrolment},
        post={"action": "suspend", "reason": "Safeguarding concern under investigation."},
        changes=True,
        **CONSORTIUM,
    ),
    # The consortium's own questions: the victim is the consortium (borough A's, by default).
    "providers:declaration_questions": Tenant(
        owner="admin",
        owner_sees="Test Consortium",
        post={"text": "New question?", "failing_answer": "yes", "on_fail": "review"},
        changes=True,
        markers=("Test Consortium",),
    ),
    "providers:declaration_question_edit": Tenant(
        kwargs={"pk": question},
        owner="admin",
        owner_sees="Alpha Care question?",
        post={"text": "Changed?", "failing_answer": "no", "on_fail": "block"},
        changes=True,
        markers=("Alpha Care question?",),
    ),
    "api:providers:applications": Tenant(kwargs={"setup": draft}, **PROVIDER),
    "api:providers:application-detail": Tenant(kwargs={"pk": draft}, **PROVIDER),
    "api:providers:enrolments": Tenant(kwargs={"setup": enrolment}, **PROVIDER),
}
