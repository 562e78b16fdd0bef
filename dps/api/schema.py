"""What every operation of the OpenAPI document shares: the problem-details errors it can
answer with, the headers that go with them, and the Idempotency-Key header on POST."""

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

PROBLEM_MEDIA_TYPE = "application/problem+json"
IDEMPOTENT_METHODS = ("POST",)


class ProblemSerializer(serializers.Serializer):
    """An error, as RFC 9457 problem details."""

    type = serializers.CharField(help_text='Always "about:blank": the status code says it all.')
    title = serializers.CharField(help_text="A short summary of the kind of problem.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    detail = serializers.CharField(help_text="What went wrong, for a person to read.")


class ValidationProblemSerializer(ProblemSerializer):
    """Bad input: problem details with the messages for each field that was wrong."""

    # A declared field, which DRF takes off the class: not the serializer's own `errors`.
    errors = serializers.DictField(  # type: ignore[assignment]
        required=False,
        help_text="Messages by field name; `non_field_errors` for the request as a whole. "
        "Absent when the request as a whole could not be read.",
    )


def _problem(description, serializer=ProblemSerializer):
    return OpenApiResponse(response=serializer, description=description)


IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    # Printable ASCII with no space at either end (the middleware's VALID_KEY, once stripped).
    type={
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$",
    },
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique value (1 to 255 printable characters) that makes a POST safe to retry: a "
        "retry with the same key and body within 24 hours gets the first answer again (with "
        "`Idempotent-Replayed: true`) instead of acting twice."
    ),
)
IDEMPOTENT_REPLAYED = OpenApiParameter(
    name="Idempotent-Replayed",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    # Answers that are kept for replay: not 401, 403, 429 or server errors.
    response=[200, 201, 202, 204, 400, 404, 415],
    enum=["true"],
    description="Present when this answer is the stored answer to an earlier request.",
)
RETRY_AFTER = OpenApiParameter(
    name="Retry-After",
    type=int,
    location=OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before trying again.",
)
WWW_AUTHENTICATE = OpenApiParameter(
    name="WWW-Authenticate",
    type=str,
    location=OpenApiParameter.HEADER,
    response=[401],
    description="How to authenticate: `Bearer` with an API key.",
)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema plus our error responses and headers."""

    def get_override_parameters(self):
        parameters = [*super().get_override_parameters(), RETRY_AFTER]
        if self._needs_authentication():
            parameters.append(WWW_AUTHENTICATE)
        if self.method in IDEMPOTENT_METHODS:
            parameters += [IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self._error_responses().items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    response, str(code), [PROBLEM_MEDIA_TYPE], direction
                )
        return dict(sorted(responses.items()))

    def _needs_authentication(self):
        return any(requirement for requirement in self.get_auth())

    def _error_responses(self):
        errors = {}
        has_body = self.method in ("POST", "PUT", "PATCH")
        has_filters = self._is_list_view() and getattr(self.view, "filterset_class", None)
        # A page size that is no whole number of at least 1 is a 400 too.
        has_page_size = self._is_list_view() and self._get_paginator()
        if has_body or has_filters or has_page_size:
            errors[400] = _problem("Invalid input.", ValidationProblemSerializer)
        if self._needs_authentication():
            errors[401] = _problem("No API key, or a malformed, wrong or revoked one.")
            errors[403] = _problem("The caller may not do this (e.g. a read-only API key).")
        if self._is_list_view() and self._get_paginator():
            errors[404] = _problem("The pagination cursor is not valid.")
        elif "{" in self.path:
            errors[404] = _problem("No such object, or not the caller's.")
        if self.method in IDEMPOTENT_METHODS:
            errors[409] = _problem("A request with this Idempotency-Key is still running.")
            errors[422] = _problem("This Idempotency-Key was used with a different request.")
        if has_body:
            errors[415] = _problem("The body is not JSON.")
        errors[429] = _problem("Too many requests: wait for Retry-After seconds.")
        return errors
