"""Each change of an application's or an enrolment's status made through a service is
recorded as a StatusChange row by its state machine, beside the application's own timeline."""

from dps.models import StatusChange
from providers.models import Application, Enrolment
from providers.services import enrolment as svc
from tests.providers import enrolment_helpers
from tests.providers.enrolment_helpers import actor_of

lot = enrolment_helpers.lot


def rows(obj):
    return StatusChange.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk))


def changes(obj):
    return list(rows(obj).values_list("old_status", "new_status", "actor_label", "reason"))


def test_approving_an_application_records_each_change_by_who_made_it(world, lot):
    provider, admin = actor_of(world.provider_admin_a), actor_of(world.admin)
    application = svc.application_start(actor=provider, lot=lot)
    svc.application_submit(actor=provider, application=application)

    svc.application_approve(actor=admin, application=application, reason="All checked.")

    assert changes(application) == [
        (Application.Status.DRAFT, Application.Status.SUBMITTED, provider.label, ""),
        (Application.Status.SUBMITTED, Application.Status.APPROVED, admin.label, "All checked."),
    ]
    approval = rows(application).get(new_status=Application.Status.APPROVED)
    assert (approval.actor_user, approval.organisation) == (world.admin, world.consortium)


def test_the_system_s_suspension_for_an_expired_document_is_recorded(world, lot):
    provider = actor_of(world.provider_admin_a)
    application = svc.application_start(actor=provider, lot=lot)
    svc.application_submit(actor=provider, application=application)
    svc.application_approve(actor=actor_of(world.admin), application=application, reason="Yes.")
    enrolment = Enrolment.objects.get(provider=world.provider_a, lot=lot)

    assert svc.enrolment_suspend_for_documents(enrolment=enrolment, reason="Insurance expired.")

    assert changes(enrolment) == [
        (Enrolment.Status.ACTIVE, Enrolment.Status.SUSPENDED, "system", "Insurance expired.")
    ]
    assert rows(enrolment).get().organisation == world.provider_a
