"""Education: school-age children attending school, and young people of 16 or more in
education, employment or training, from each placement's latest review in the period."""

from monitoring.models import EducationStatus

from .base import ALL_SCOPES, Kpi, register
from .reviews import count, on_latest_reviews
from .stability import placements


def share_of_latest_status(yes, no):
    """Of the placements whose latest review in the period says `yes` or `no`, those saying
    `yes`: counted over the latest reviews themselves (`on_latest_reviews`)."""

    def compute(scope, periods, today):
        return on_latest_reviews(
            placements(),
            scope,
            periods,
            count("r.education_status = %s", yes),
            count("r.education_status IN (%s, %s)", yes, no),
        )

    return compute


register(
    Kpi(
        code="school_attendance",
        label="School-age children attending school",
        unit="percent",
        higher_is_better=True,
        scopes=ALL_SCOPES,
        periods=("quarter", "year"),
        compute=share_of_latest_status(EducationStatus.ATTENDING, EducationStatus.NOT_ATTENDING),
        family="Education",
        scale=100,
        description="Of the placements whose latest review in the period says whether the "
        "child attends school, the share attending.",
    )
)
register(
    Kpi(
        code="eet_16_plus",
        label="Young people of 16 or more in education, employment or training",
        unit="percent",
        higher_is_better=True,
        scopes=ALL_SCOPES,
        periods=("quarter", "year"),
        compute=share_of_latest_status(EducationStatus.EET, EducationStatus.NEET),
        family="Education",
        scale=100,
        description="Of the placements whose latest review in the period records EET or NEET "
        "status, the share in education, employment or training.",
    )
)
