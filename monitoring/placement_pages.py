"""What monitoring adds to the placements app's pages of a placement (registered in
MonitoringConfig.ready()): the placement's timeline, the name of its end reason, and the links to
record a review, a fee change, the ending or a spot purchase, for those who may."""

from placements.models import Placement

from .services.lifecycle import can_record, placement_events
from .ssda903_codes import end_reason_label


def list_context(actor):
    return {"can_record": can_record(actor)}


def detail_context(actor, placement):
    may_record = can_record(actor, placement)
    return {
        "events": placement_events(placement, for_borough=actor.is_borough),
        "can_review": may_record and placement.status == Placement.Status.STARTED,
        "can_change_fee": may_record and placement.status != Placement.Status.AWARDED,
        "can_end": may_record and placement.status == Placement.Status.STARTED,
        "end_reason_label": end_reason_label(placement.end_reason),
    }
