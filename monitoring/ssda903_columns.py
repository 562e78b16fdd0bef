"""The SSDA903 codes the import reads to build placements from episodes of care, and the rule
that says whether a placement's ending was planned.

An episode of care starts whenever the child's placement or legal status changes; its reason for
new episode (RNE) says which. The reason for placement change (REASON_PLACE_CHANGE) is recorded
on the episode whose placement ended, when the child moved and stayed looked after; the reason
episode ceased (REC) is X1 then, and one of the E codes when the child left care."""

# Reason for new episode (RNE).
RNE_STARTED = "S"  # started to be looked after: a new period of care
RNE_LEGAL_STATUS_ONLY = "L"  # change of legal status only: the same placement goes on
# P (placement only), B and T (placement and legal status), U (placement and legal status, in
# some returns): a new placement.
RNE_NEW_PLACEMENT = {"S", "P", "B", "T", "U"}
RNE_CODES = RNE_NEW_PLACEMENT | {RNE_LEGAL_STATUS_ONLY}

# Reason episode ceased: the episode ended and a new one began the same day (still looked after).
REC_NEW_EPISODE = "X1"

# Whether an ending was planned, from the reason for placement change (a move) ...
PLANNED_MOVES = {
    "CARPL",  # change to or implementation of the care plan
    "PLACE",  # change in the status of the placement only
}
UNPLANNED_MOVES = {
    "CLOSE",  # resignation of the carer or closure of the provision
    "ALLEG",  # allegation (section 47 enquiry)
    "STAND",  # concern about the standards of care
    "APPRR",  # carer's approval removed
    "CREQB",  # carer asked for the end because of the child's behaviour
    "CREQO",  # carer asked for the end for another reason
    "CHILD",  # the child asked for the end
    "LAREQ",  # the responsible or area authority asked for the end
    "CUSTOD",  # custody arrangement
}
# ... and from the reason episode ceased (the child left care).
UNPLANNED_LEAVING = {
    "E4B",  # returned home, not as part of the care plan
    "E9",  # sentenced to custody
}
UNKNOWN_LEAVING = {
    "E2",  # died
    "E8",  # ended for any other reason
}

SEX = {"1": "1", "m": "1", "male": "1", "2": "2", "f": "2", "female": "2"}


def ending_planned(*, reason_place_change, rec):
    """True (planned), False (unplanned) or None (not known or not ended) for a placement that
    ended with these codes: a move's reason decides (OTHER or none: not known); a child who left
    care left as planned unless they went home outside the care plan or into custody (death and
    "any other reason": not known)."""
    reason = (reason_place_change or "").upper()
    rec = (rec or "").upper()
    if reason in PLANNED_MOVES:
        return True
    if reason in UNPLANNED_MOVES:
        return False
    if reason or not rec or rec == REC_NEW_EPISODE:
        return None
    if rec in UNPLANNED_LEAVING:
        return False
    if rec in UNKNOWN_LEAVING:
        return None
    return True
