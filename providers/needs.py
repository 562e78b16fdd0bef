"""The Valuing Care needs profile: twelve indicators in six domains, each scored 0 to 3.

Placement requests score a child's needs with it; services say up to which score they can meet
each need; reviews score it again. One definition serves all three."""

DOMAINS = [
    ("be_healthy", "Be Healthy"),
    ("be_safe", "Be Safe"),
    ("be_ambitious", "Be Ambitious"),
    ("be_resilient", "Be Resilient"),
    ("be_independent", "Be Independent"),
    ("be_happy", "Be Happy"),
]

# (code, label, domain code)
INDICATORS = [
    ("physical_health", "Physical health", "be_healthy"),
    ("emotional_health", "Emotional and mental health", "be_healthy"),
    ("relationships", "Positive relationships, free from exploitation", "be_safe"),
    ("safe_decisions", "Safe decisions on drugs, alcohol and sex", "be_safe"),
    ("learning_disability", "Learning difficulty or disability", "be_ambitious"),
    ("education_progress", "Educational progress", "be_ambitious"),
    ("emotions_boundaries", "Managing emotions and boundaries", "be_resilient"),
    ("community_activities", "Social activities in the community", "be_resilient"),
    ("self_care", "Age-appropriate self-care", "be_independent"),
    ("setting_goals", "Setting goals", "be_independent"),
    ("wishes_feelings", "Wishes and feelings known", "be_happy"),
    ("identity", "Identity, life story and self-esteem", "be_happy"),
]
INDICATOR_CODES = [code for code, _, _ in INDICATORS]
INDICATOR_LABELS = {code: label for code, label, _ in INDICATORS}

SCORES = [
    (0, "0 – no additional support"),
    (1, "1 – some additional support"),
    (2, "2 – significant support"),
    (3, "3 – intensive support"),
]
MAX_SCORE = 3


def validate_needs(value):
    """A needs map: {indicator code: score 0-3}; unknown codes or scores are refused."""
    from django.core.exceptions import ValidationError

    if not isinstance(value, dict):
        raise ValidationError("Needs must be a mapping of indicator to score.")
    for code, score in value.items():
        if code not in INDICATOR_LABELS:
            raise ValidationError(f"Unknown needs indicator: {code}.")
        if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= MAX_SCORE:
            raise ValidationError(f"{INDICATOR_LABELS[code]}: the score must be 0 to 3.")
