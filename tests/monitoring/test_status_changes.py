"""Each change of a placement's (its ending) or a visit's status made through a monitoring
service is recorded as a StatusChange row by its state machine."""

from datetime import timedelta

from django.utils import timezone

from dps.models import StatusChange
from monitoring.models import MonitoringVisit
from monitoring.services import lifecycle
from monitoring.services import visits as visit_services
from monitoring.ssda903_codes import end_reason_label
from placements.models import Placement
from placements.services import award as award_services
from tests.monitoring.helpers_m4 import enrolled
from tests.placements import helpers
from tests.placements.helpers import actor_of

TODAY = timezone.localdate()


def changes(obj):
    return list(
        StatusChange.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk)).values_list(
            "old_status", "new_status", "actor_label", "reason"
        )
    )


def test_ending_a_placement_records_the_change_with_the_reason(world):
    officer = actor_of(world.officer_a)
    _, placement = helpers.awarded(world)
    award_services.placement_start(
        actor=officer, placement=placement, actual_start_date=TODAY - timedelta(days=10)
    )

    lifecycle.placement_end_record(
        actor=officer, placement=placement, end_date=TODAY, planned=True, reason="E11"
    )

    assert changes(placement)[-1] == (
        Placement.Status.STARTED,
        Placement.Status.ENDED,
        officer.label,
        end_reason_label("E11"),
    )


def test_cancelling_a_visit_records_the_change_with_the_reason(world):
    _lot, service, _other = enrolled(world)
    visit_services.visits_schedule(consortium=world.consortium, today=TODAY)
    visit = MonitoringVisit.objects.get(service=service)
    admin = actor_of(world.admin)

    visit_services.visit_cancel(actor=admin, visit=visit, reason="The home closed.")

    assert changes(visit) == [
        (
            MonitoringVisit.Status.SCHEDULED,
            MonitoringVisit.Status.CANCELLED,
            admin.label,
            "The home closed.",
        )
    ]
