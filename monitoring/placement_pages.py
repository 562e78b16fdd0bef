"""What monitoring adds to the placements app's pages of a placement (registered in
MonitoringConfig.ready()): the placement's timeline, the name of its end reason, and the links to
record a review, a fee change, the ending or a spot purchase, for those who may."""

from placements.models.placements import PLACEMENT_STATES

from .access import may_record
from .selectors.lifecycle import placement_events
from .ssda903_codes import end_reason_label


def list_context(actor):
    return {"can_record": may_record(actor)}


def detail_context(actor, placement):
    can_record = may_record(actor, placement)
    return {
        "events": placement_events(placement, for_borough=actor.is_borough),
        "can_review": can_record and PLACEMENT_STATES.allows(placement, "review"),
        "can_change_fee": can_record and PLACEMENT_STATES.allows(placement, "change_fee"),
        "can_end": can_record and PLACEMENT_STATES.allows(placement, "end"),
        "end_reason_label": end_reason_label(placement.end_reason),
    }
