"""What the placements API's resources share: who may call them, sane bounds on dates and ids,
the fields and serializers several of them use, the problem-details answers they document, and
the one call that turns a refusal to publish into a 400 listing every problem."""

from datetime import UTC, date, datetime

from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import exceptions, permissions, serializers

from dps.api.schema import PROBLEM_MEDIA_TYPE, ProblemSerializer
from dps.tenancy import Actor, get_actor

from ..services.requests import RequestIncomplete

# Dates a person could mean: far-future years would overflow date arithmetic later on.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
MAX_TEXT = 20000
MAX_ID = 2**63 - 1


def context_actor(serializer: serializers.BaseSerializer) -> Actor | None:
    """The actor of the request in a serializer's context (None without one)."""
    request = serializer.context.get("request")
    return get_actor(request) if request is not None else None


def blank_choice(choices) -> serializers.ChoiceField:
    """A read-only choice that may be blank (a draft leaves it empty)."""
    return serializers.ChoiceField(choices, allow_blank=True, read_only=True)


def object_id(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class NamedObjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def status_field(choices, **kwargs):
    """A read-only status, documented as a string with its values listed. (As an enum it
    would become a schema component named after the field, colliding with the project's other
    `status` choice sets.)"""
    values = ", ".join(f"`{value}`" for value, _ in choices if value)

    @extend_schema_field({"type": "string", "description": f"One of {values}."})
    class Field(serializers.CharField):
        pass

    return Field(read_only=True, **kwargs)


class SaneDateField(serializers.DateField):
    def to_internal_value(self, value):
        value = super().to_internal_value(value)
        if not EARLIEST <= value <= LATEST:
            raise serializers.ValidationError(
                f"Enter a date from {EARLIEST:%Y} to {LATEST:%Y}.", code="out_of_range"
            )
        return value


class SaneDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value):
        value = super().to_internal_value(value)
        low = datetime.combine(EARLIEST, datetime.min.time(), tzinfo=UTC)
        high = datetime.combine(LATEST, datetime.min.time(), tzinfo=UTC)
        if not low <= value <= high:
            raise serializers.ValidationError(
                f"Enter a time from {EARLIEST:%Y} to {LATEST:%Y}.", code="out_of_range"
            )
        return value


def text(max_length=MAX_TEXT, **kwargs):
    return serializers.CharField(
        max_length=max_length, allow_blank=True, required=False, trim_whitespace=True, **kwargs
    )


class IsBorough(permissions.BasePermission):
    """Boroughs read their requests; only placement officers and case systems with the write
    scope change them (commissioners read)."""

    message = "Only a borough can do this."

    def has_permission(self, request, view):
        actor = get_actor(request)
        if actor is None or not actor.is_borough:
            self.message = "Only a borough can do this."
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        self.message = "Only the borough's placement officers and case systems can do this."
        return actor.is_borough_writer


class IsProvider(permissions.BasePermission):
    """Providers read their invitations and bids; their admins, bidders and systems with the
    write scope bid, ask and decline."""

    message = "Only a provider can do this."

    def has_permission(self, request, view):
        actor = get_actor(request)
        if actor is None or not actor.is_provider:
            self.message = "Only a provider can do this."
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        self.message = "Only the provider's admins, bidders and systems can do this."
        return actor.is_bidder


class IsBoroughOrProvider(permissions.BasePermission):
    message = "Only boroughs and providers take part in placements."

    def has_permission(self, request, view):
        actor = get_actor(request)
        return actor is not None and (actor.is_borough or actor.is_provider)


class ProvidersWrite(IsProvider):
    """Boroughs and providers read (each what is theirs); providers write."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            self.message = IsBoroughOrProvider.message
            return IsBoroughOrProvider().has_permission(request, view)
        return super().has_permission(request, view)


class Sealed(exceptions.APIException):
    status_code = 409
    default_detail = (
        "Bids are sealed until the request closes at its deadline: there is no evaluation yet."
    )
    default_code = "sealed"


SEALED_RESPONSE = {
    (409, PROBLEM_MEDIA_TYPE): OpenApiResponse(
        ProblemSerializer, description="The request has not closed: bids are still sealed."
    )
}


def validated(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def every_problem(call, **kwargs):
    """Run a service; a refusal to publish becomes a 400 with each problem beside its field."""
    try:
        return call(**kwargs)
    except RequestIncomplete as exc:
        raise exceptions.ValidationError(
            {field: [message] for field, message in exc.problems.items()}
        ) from exc
