"""API views of a placement's cost schedule, and their routes (included by
finance/api/urls.py).

The borough that holds a placement and the provider that runs it (people and systems) read
its fee rows and, for a range of days, the borough's billing periods with the days and the
amount the schedule owes for each; another tenant's placement is the same 404 as one that
does not exist."""

from datetime import date

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from dps.tenancy import get_actor
from placements.selectors.schedule import Schedule, schedule_of

from ..access import get_placement_for_actor
from ..selectors.billing import billing_settings
from ..selectors.money import periods_owed

# The longest range one call may ask for.
MAX_DAYS = 3 * 366


class RangeSerializer(serializers.Serializer):
    """The query: `from` and `to`, both optional ISO dates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = serializers.DateField(
            required=False, help_text="The first day (YYYY-MM-DD); default: the start."
        )
        self.fields["to"] = serializers.DateField(
            required=False,
            help_text=(
                "The last day (YYYY-MM-DD); default: the ending, else the planned end, else today."
            ),
        )

    def validate(self, attrs):
        schedule: Schedule = self.context["schedule"]
        last = attrs.get("to") or schedule.last_day(committed=True) or self.context["today"]
        first = attrs.get("from")
        if first is None:
            # By default from the start, or as far back as one call reaches.
            first = max(schedule.began, date.fromordinal(last.toordinal() - MAX_DAYS + 1))
        if first > last:
            raise serializers.ValidationError({"to": "The last day must not be before the first."})
        if (last - first).days + 1 > MAX_DAYS:
            raise serializers.ValidationError({"to": "Ask for at most three years at a time."})
        return {"from": first, "to": last}


class FeeRowSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="agreed, uplift, additional_support, needs_change, other"
    )
    effective_date = serializers.DateField()
    starts = serializers.DateField(help_text="The first day the fee applies.")
    ends = serializers.DateField(allow_null=True, help_text="The last day; null: onwards.")
    weekly_fee = serializers.DecimalField(max_digits=9, decimal_places=2)
    reason = serializers.CharField()


class PeriodSerializer(serializers.Serializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "label" is also an attribute of every field: declared here, not on the class.
        self.fields["label"] = serializers.CharField(help_text="As pages name the period.")

    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField(help_text="Days of the period the placement costs.")
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="What the schedule owes, to the penny."
    )


class ScheduleSerializer(serializers.Serializer):
    placement = serializers.IntegerField()
    began = serializers.DateField()
    ended = serializers.DateField(allow_null=True)
    planned_end = serializers.DateField(allow_null=True)
    billing_cycle = serializers.CharField()
    range_from = serializers.DateField(source="from")
    range_to = serializers.DateField(source="to")
    fees = FeeRowSerializer(many=True)
    periods = PeriodSerializer(many=True)


class PlacementSchedule(APIView):
    @extend_schema(
        summary="A placement's cost schedule and its billing periods",
        parameters=[
            OpenApiParameter("from", date, description="The first day (YYYY-MM-DD)."),
            OpenApiParameter("to", date, description="The last day (YYYY-MM-DD)."),
        ],
        responses=ScheduleSerializer,
    )
    def get(self, request, pk):
        placement = get_placement_for_actor(get_actor(request), pk)
        schedule = schedule_of(placement)
        query = RangeSerializer(
            data=request.query_params,
            context={"schedule": schedule, "today": timezone.localdate()},
        )
        query.is_valid(raise_exception=True)
        span = query.validated_data
        settings = billing_settings(placement.borough_id)
        periods = periods_owed(schedule, settings, span["from"], span["to"])
        data = {
            "placement": placement.pk,
            "began": schedule.began,
            "ended": schedule.ended,
            "planned_end": schedule.planned_end,
            "billing_cycle": settings.cycle,
            "from": span["from"],
            "to": span["to"],
            "fees": [
                {
                    "kind": rate.kind,
                    "effective_date": rate.effective_date,
                    "starts": rate.starts,
                    "ends": rate.ends,
                    "weekly_fee": rate.weekly_fee,
                    "reason": rate.reason,
                }
                for rate in schedule.rates
            ],
            "periods": [
                {
                    "start": p.period.start,
                    "end": p.period.end,
                    "label": p.period.label,
                    "days": p.days,
                    "amount": p.amount,
                }
                for p in periods
            ],
        }
        return Response(ScheduleSerializer(data).data)


urlpatterns = [
    path("placements/<int:pk>/schedule/", PlacementSchedule.as_view(), name="placement-schedule"),
]
