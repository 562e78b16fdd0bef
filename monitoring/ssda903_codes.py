"""The DfE's SSDA903 codes for why a placement ends, from the looked-after children return's
guidance: the reason an episode of care ended (REC), for a child who leaves care, and the reason
for a change of placement (REASON_PLACE_CHANGE), for a child who moves but stays looked after.

A placement's `end_reason` holds one code of either list."""

# Reason episode ceased (REC): the child stopped being looked after.
REC = [
    ("E11", "Adopted: application for an adoption order unopposed"),
    ("E12", "Adopted: consent dispensed with by the court"),
    (
        "E13",
        "Left care to live with parent(s), relative(s) or other person(s) with no parental "
        "responsibility",
    ),
    ("E14", "Accommodation on remand ended"),
    ("E15", "Age assessment determined the child is aged 18 or over"),
    ("E16", "Child moved abroad"),
    ("E17", "Aged 18 (or over) and remained with current carers (including staying put)"),
    ("E2", "Died"),
    ("E3", "Care taken over by another local authority in the UK"),
    ("E41", "Residence order or child arrangements order granted"),
    ("E45", "Special guardianship order made to former foster carer(s), a relative or friend"),
    ("E46", "Special guardianship order made to former foster carer(s), not a relative or friend"),
    ("E47", "Special guardianship order made to other carer(s), a relative or friend"),
    ("E48", "Special guardianship order made to other carer(s), not a relative or friend"),
    (
        "E4A",
        "Returned home to parent(s) or others with parental responsibility, as part of the "
        "care plan",
    ),
    (
        "E4B",
        "Returned home to parent(s) or others with parental responsibility, not as part of "
        "the care plan",
    ),
    ("E5", "Moved into independent living with formal advice and support"),
    ("E6", "Moved into independent living without formal advice and support"),
    ("E7", "Transferred to residential care funded by adult social care"),
    ("E8", "Period of being looked after ended for any other reason"),
    ("E9", "Sentenced to custody"),
]

# Reason for placement change (REASON_PLACE_CHANGE): the child moved and stays looked after.
REASON_PLACE_CHANGE = [
    ("CARPL", "Change to or implementation of the care plan"),
    ("CLOSE", "Resignation of the carer or closure of the provision"),
    ("ALLEG", "Allegation (section 47 enquiry)"),
    ("STAND", "Concern about the standards of care"),
    ("APPRR", "Carer's approval removed"),
    ("CREQB", "Carer asked for the placement to end because of the child's behaviour"),
    ("CREQO", "Carer asked for the placement to end for another reason"),
    ("CHILD", "The child asked for the placement to end"),
    ("LAREQ", "The responsible or area authority asked for the placement to end"),
    ("PLACE", "Change in the status of the placement only"),
    ("CUSTOD", "Custody arrangement"),
    ("OTHER", "Other"),
]

END_REASONS = dict(REC) | dict(REASON_PLACE_CHANGE)
# For a select with two groups.
END_REASON_CHOICES = [
    ("The child left care", REC),
    ("The child moved to another placement", REASON_PLACE_CHANGE),
]


def end_reason_label(code):
    return END_REASONS.get(code, code)
