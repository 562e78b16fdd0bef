"""Education: school-age children attending school, and young people of 16 or more in
education, employment or training, from each placement's latest review in the period."""

from django.db.models import CharField, Count, Q

from monitoring.models import EducationStatus

from . import ALL_SCOPES, Kpi, grouped, register
from .outcomes import latest_review_in
from .stability import PLACEMENT_PATHS, placements


def share_of_latest_status(yes, no):
    def compute(scope, periods, today):
        queryset = placements()
        for i, period in enumerate(periods):
            queryset = queryset.alias(
                **{f"status{i}": latest_review_in(period, "education_status", CharField())}
            )
        return grouped(
            queryset,
            PLACEMENT_PATHS,
            scope,
            periods,
            lambda p: Count("pk", filter=Q(**{f"status{periods.index(p)}": yes})),
            lambda p: Count("pk", filter=Q(**{f"status{periods.index(p)}__in": [yes, no]})),
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
