"""Writes of the quality part: computing and keeping the quality score."""


def quality_score_recompute(*, provider, trigger):
    """Recompute the provider's quality score for every consortium it is enrolled with and
    keep each as a snapshot. Called whenever an input changes (a rating, a document, an
    enrolment) with `trigger` saying what changed, and nightly for everyone."""
    return []
