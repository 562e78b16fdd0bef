"""The enrolment pages: registering a provider, applying, the review queue and its decisions,
managing enrolments and declaration questions."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from dps.models import Membership, Organisation, OutboundEmail, Role
from providers.models import Application, DeclarationQuestion, Enrolment, ProviderProfile
from tests.conftest import person
from tests.factories import (
    ApplicationFactory,
    ConsortiumFactory,
    DocumentFactory,
    EnrolmentFactory,
    LotFactory,
)
from tests.providers import enrolment_helpers

lot = enrolment_helpers.lot
questions = enrolment_helpers.questions

PASSWORD = "a-long-and-unusual-passphrase"
REGISTRATION = {
    "legal_name": "Seaview Care Ltd",
    "companies_house_number": "sc123456",
    "charity_number": "",
    "address": "1 Harbour Road\nSeatown",
    "postcode": "se1 1aa",
    "contact_name": "Sam Contact",
    "contact_email": "office@seaview.example",
    "contact_phone": "01234 567890",
    "full_name": "Robin Founder",
    "email": "Robin@Seaview.example",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


@pytest.fixture(autouse=True)
def no_rate_limits_left_over():
    # allauth counts sign-ups per address in the cache, which outlives a test.
    cache.clear()


def link_in(body, path_start):
    match = re.search(rf"https?://[^/\s]+({re.escape(path_start)}[^\s\"<]*)", body)
    assert match, body
    return match.group(1)


def sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


# --- Registration ---------------------------------------------------------------------------


def test_registering_creates_the_provider_and_its_admin_with_an_unverified_email(client, db):
    response = client.post(reverse("providers:register"), REGISTRATION)

    assert response.status_code == 302
    assert response["Location"] == reverse("providers:register_done")
    provider = Organisation.objects.get(name="Seaview Care Ltd")
    assert provider.kind == Organisation.Kind.PROVIDER
    profile = ProviderProfile.objects.get(organisation=provider)
    assert (profile.companies_house_number, profile.postcode) == ("SC123456", "SE1 1AA")
    membership = Membership.objects.get(organisation=provider)
    assert membership.user.email == "robin@seaview.example"
    assert (membership.role, membership.is_org_admin) == (Role.PROVIDER_ADMIN, True)
    assert not EmailAddress.objects.get(user=membership.user).verified


def test_a_registered_admin_cannot_sign_in_until_the_email_is_verified(client, db):
    client.post(reverse("providers:register"), REGISTRATION)

    sign_in(client, "robin@seaview.example", PASSWORD)
    assert "_auth_user_id" not in client.session

    email = OutboundEmail.objects.filter(to="robin@seaview.example").first()
    client.post(link_in(email.body_text, "/accounts/confirm-email/"))
    sign_in(client, "robin@seaview.example", PASSWORD)

    assert "_auth_user_id" in client.session
    assert "Seaview Care Ltd" in client.get(reverse("providers:applications")).content.decode()


def test_registering_an_existing_email_gives_the_same_answer_and_creates_nothing(client, world):
    organisations = Organisation.objects.count()

    response = client.post(
        reverse("providers:register"), {**REGISTRATION, "email": "ADMIN@provider-a.test"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("providers:register_done")
    assert Organisation.objects.count() == organisations
    assert not ProviderProfile.objects.exists()
    email = OutboundEmail.objects.get(to="admin@provider-a.test")
    assert "already has an account" in email.body_text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"companies_house_number": "", "charity_number": ""}, "companies_house_number", "Enter a"),
        ({"companies_house_number": "123"}, "companies_house_number", "8 characters"),
        ({"companies_house_number": "S1234567"}, "companies_house_number", "8 characters"),
        ({"companies_house_number": "", "charity_number": "12345"}, "charity_number", "6 to 8"),
        ({"password1": "password", "password2": "password"}, "password1", ""),
        ({"password2": "something-else-entirely"}, "password2", "do not match"),
    ],
)
def test_registration_refuses_bad_numbers_and_weak_passwords(client, db, changes, field, message):
    response = client.post(reverse("providers:register"), {**REGISTRATION, **changes})

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert not Organisation.objects.exists()


def test_a_charity_number_alone_is_enough(client, db):
    data = {**REGISTRATION, "companies_house_number": "", "charity_number": "1234567"}

    assert client.post(reverse("providers:register"), data).status_code == 302
    assert ProviderProfile.objects.get().charity_number == "1234567"


def test_registration_is_rate_limited(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "2/m/ip"}
    for n in range(2):
        data = {**REGISTRATION, "email": f"person{n}@seaview.example"}
        assert client.post(reverse("providers:register"), data).status_code == 302

    response = client.post(reverse("providers:register"), {**REGISTRATION, "email": "x@y.example"})

    assert response.status_code == 429
    assert not Membership.objects.filter(user__email="x@y.example").exists()


# --- A provider's application ---------------------------------------------------------------


def test_a_provider_admin_applies_answers_attaches_and_submits(client, world, lot, questions):
    document = DocumentFactory(provider=world.provider_a, original_name="insurance.pdf")
    client.force_login(world.provider_admin_a)

    response = client.post(reverse("providers:application_new"), {"lot": lot.pk})
    application = Application.objects.get(provider=world.provider_a)
    assert response["Location"] == reverse("providers:application_detail", args=[application.pk])

    page = client.get(response["Location"]).content.decode()
    assert "Are you insolvent or in administration?" in page
    assert "insurance.pdf" in page

    response = client.post(
        response["Location"],
        {
            f"q{questions['review'].pk}": "no",
            f"q{questions['block'].pk}": "no",
            "supporting_statement": "Twenty years of care.",
            "documents": [document.pk],
            "action": "submit",
        },
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"
    assert list(application.documents.all()) == [document]


def test_a_blocking_answer_is_shown_as_an_error_and_the_draft_is_kept(
    client, world, lot, questions
):
    application = ApplicationFactory(provider=world.provider_a, lot=lot, status="draft")
    client.force_login(world.provider_admin_a)

    response = client.post(
        reverse("providers:application_detail", args=[application.pk]),
        {
            f"q{questions['review'].pk}": "no",
            f"q{questions['block'].pk}": "yes",
            f"q{questions['block'].pk}_detail": "In administration since May.",
            "supporting_statement": "Kept.",
            "action": "submit",
        },
    )

    assert response.status_code == 400
    assert "Are you insolvent or in administration?" in " ".join(
        response.context["form"].non_field_errors()
    )
    application.refresh_from_db()
    assert (application.status, application.supporting_statement) == ("draft", "Kept.")
    assert application.answers.count() == 2


def test_the_provider_sees_its_history_with_reasons(client, world, lot):
    application = ApplicationFactory(provider=world.provider_a, lot=lot, status="more_info")
    application.transitions.create(
        from_status="submitted", to_status="more_info", actor=world.admin, reason="Send accounts."
    )
    client.force_login(world.provider_admin_a)

    page = client.get(reverse("providers:application_detail", args=[application.pk]))

    assert "Send accounts." in page.content.decode()
    assert "Your answer to the request for more information" in page.content.decode()


def test_a_bidder_sees_the_application_but_cannot_change_it(client, world, lot):
    application = ApplicationFactory(provider=world.provider_a, lot=lot, status="draft")
    client.force_login(world.bidder_a)
    path = reverse("providers:application_detail", args=[application.pk])

    assert client.get(path).status_code == 200
    assert client.post(path, {"supporting_statement": "x", "action": "save"}).status_code == 403
    assert client.get(reverse("providers:application_new")).status_code == 403


def test_the_provider_page_lists_enrolments_and_applications(client, world, lot):
    EnrolmentFactory(provider=world.provider_a, lot=lot, status="suspended", status_reason="Why")
    client.force_login(world.provider_admin_a)

    page = client.get(reverse("providers:applications")).content.decode()

    assert "Children&#x27;s homes" in page
    assert "Suspended" in page
    assert "Why" in page


# --- The review queue -----------------------------------------------------------------------


def test_the_queue_shows_flagged_first_then_oldest_and_not_other_consortiums(client, world):
    other_consortium = ConsortiumFactory(slug="other", name="Other Consortium")
    ours = LotFactory(consortium=world.consortium)
    theirs = LotFactory(consortium=other_consortium)
    now = timezone.now()
    old = ApplicationFactory(provider=world.provider_a, lot=ours, status="submitted")
    flagged = ApplicationFactory(
        provider=world.provider_b, lot=ours, status="submitted", flagged_for_review=True
    )
    Application.objects.filter(pk=old.pk).update(submitted_at=now - timedelta(days=3))
    Application.objects.filter(pk=flagged.pk).update(submitted_at=now)
    ApplicationFactory(
        provider=Organisation.objects.create(kind="provider", name="Elsewhere Care", slug="e"),
        lot=theirs,
        status="submitted",
    )
    ApplicationFactory(provider=world.provider_a, lot=LotFactory(), status="draft")
    client.force_login(world.admin)

    response = client.get(reverse("providers:review_queue"))

    assert [a.pk for a in response.context["page"]] == [flagged.pk, old.pk]
    assert "Elsewhere Care" not in response.content.decode()


def test_another_consortiums_admin_cannot_open_the_review_page(client, world, lot):
    application = ApplicationFactory(provider=world.provider_a, lot=lot, status="submitted")
    other = person("admin@other.test", ConsortiumFactory(slug="other"), Role.CONSORTIUM_ADMIN)
    client.force_login(other)

    page = client.get(reverse("providers:application_review", args=[application.pk]))
    response = client.post(
        reverse("providers:application_review", args=[application.pk]),
        {"decision": "approve", "reason": "x"},
    )

    assert (page.status_code, response.status_code) == (404, 404)
    application.refresh_from_db()
    assert application.status == "submitted"


def test_the_review_page_marks_failing_answers_and_links_documents(client, world, lot, questions):
    application = ApplicationFactory(provider=world.provider_a, lot=lot, status="submitted")
    application.answers.create(question=questions["review"], answer=True, detail="In 2023.")
    document = DocumentFactory(provider=world.provider_a, original_name="policy.pdf")
    application.documents.add(document)
    client.force_login(world.admin)

    page = client.get(reverse("providers:application_review", args=[application.pk]))
    text = page.content.decode()

    assert "Fails: review" in text
    assert "In 2023." in text
    assert "policy.pdf" in text
    assert "Are you insolvent" in text  # unanswered questions are listed too
    if page.context["document_route"]:
        assert reverse(page.context["document_route"], kwargs={"pk": document.pk}) in text


@pytest.mark.parametrize(
    ("decision", "status", "subject"),
    [
        ("approve", "approved", "approved"),
        ("reject", "rejected", "rejected"),
        ("more_info", "more_info", "More information"),
    ],
)
def test_each_decision_is_recorded_and_emailed(client, world, lot, decision, status, subject):
    application = ApplicationFactory(provider=world.provider_a, lot=lot, status="submitted")
    client.force_login(world.admin)

    response = client.post(
        reverse("providers:application_review", args=[application.pk]),
        {"decision": decision, "reason": "Our reasons."},
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == status
    assert application.transitions.get().reason == "Our reasons."
    email = OutboundEmail.objects.get(to="admin@provider-a.test")
    assert subject in email.subject
    assert "Our reasons." in email.body_text


def test_a_decision_without_a_reason_is_a_form_error(client, world, lot):
    application = ApplicationFactory(provider=world.provider_a, lot=lot, status="submitted")
    client.force_login(world.admin)

    response = client.post(
        reverse("providers:application_review", args=[application.pk]), {"decision": "approve"}
    )

    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == "submitted"


def test_deciding_twice_shows_the_refusal(client, world, lot):
    application = ApplicationFactory(provider=world.provider_a, lot=lot, status="rejected")
    client.force_login(world.admin)

    response = client.post(
        reverse("providers:application_review", args=[application.pk]),
        {"decision": "approve", "reason": "Changed my mind."},
    )

    assert response.status_code == 400
    assert "rejected, so it cannot be approved" in response.content.decode()


# --- Enrolments and questions (consortium admin) ----------------------------------------------


def test_the_enrolment_list_filters_by_lot_and_status(client, world, lot):
    other_lot = LotFactory(consortium=world.consortium)
    active = EnrolmentFactory(provider=world.provider_a, lot=lot)
    EnrolmentFactory(provider=world.provider_b, lot=lot, status="suspended")
    EnrolmentFactory(provider=world.provider_a, lot=other_lot)
    EnrolmentFactory(provider=world.provider_b, lot=LotFactory(consortium=ConsortiumFactory()))
    client.force_login(world.admin)

    everything = client.get(reverse("providers:enrolment_list"))
    filtered = client.get(reverse("providers:enrolment_list"), {"lot": lot.pk, "status": "active"})

    assert len(everything.context["page"]) == 3
    assert [e.pk for e in filtered.context["page"]] == [active.pk]


def test_the_consortium_admin_suspends_and_the_provider_is_emailed(client, world, lot):
    enrolment = EnrolmentFactory(provider=world.provider_a, lot=lot)
    client.force_login(world.admin)

    response = client.post(
        reverse("providers:enrolment_manage", args=[enrolment.pk]),
        {"action": "suspend", "reason": "Under investigation."},
    )

    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.suspension_cause) == ("suspended", "decision")
    assert OutboundEmail.objects.filter(
        to="admin@provider-a.test", subject__contains="suspended"
    ).exists()


def test_a_removed_enrolment_offers_no_action(client, world, lot):
    enrolment = EnrolmentFactory(provider=world.provider_a, lot=lot, status="removed")
    client.force_login(world.admin)

    page = client.get(reverse("providers:enrolment_manage", args=[enrolment.pk]))
    response = client.post(
        reverse("providers:enrolment_manage", args=[enrolment.pk]),
        {"action": "reinstate", "reason": "Please."},
    )

    assert "Removal is final" in page.content.decode()
    assert response.status_code == 400
    assert Enrolment.objects.get(pk=enrolment.pk).status == "removed"


def test_the_consortium_admin_adds_and_deactivates_a_question(client, world):
    client.force_login(world.admin)

    client.post(
        reverse("providers:declaration_questions"),
        {"text": "Do you agree to the DPS terms?", "failing_answer": "no", "on_fail": "block"},
    )
    question = DeclarationQuestion.objects.get()
    assert (question.failing_answer, question.on_fail) == (False, "block")
    response = client.post(
        reverse("providers:declaration_question_edit", args=[question.pk]),
        {"text": question.text, "failing_answer": "no", "on_fail": "block"},
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert not question.is_active


def test_council_staff_and_providers_cannot_manage_questions(client, world):
    for user in (world.commissioner_a, world.provider_admin_a):
        client.force_login(user)
        assert client.get(reverse("providers:declaration_questions")).status_code == 403
