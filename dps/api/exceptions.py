"""Errors as RFC 9457 problem-details JSON, with field errors for bad input."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from ..services import DomainError

TITLES = {
    400: "Invalid request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    415: "Unsupported media type",
    422: "Unprocessable request",
    429: "Too many requests",
    503: "Service unavailable",
}


def problem(status_code, detail, errors=None, title=None):
    body = {
        "type": "about:blank",
        "title": title or TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, content_type="application/problem+json")


def problem_details_handler(exc, context):
    if isinstance(exc, DomainError):
        errors = {exc.field: [exc.message]} if exc.field else None
        return problem(status.HTTP_400_BAD_REQUEST, exc.message, errors)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = response.data
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        result = problem(response.status_code, "The request has invalid fields.", errors)
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        result = problem(response.status_code, str(detail))
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            result[header] = response[header]
    return result


def problem_json(status_code, detail):
    body = {
        "type": "about:blank",
        "title": TITLES.get(status_code, "Server error"),
        "status": status_code,
        "detail": detail,
    }
    return JsonResponse(body, status=status_code, content_type="application/problem+json")


def bad_request(request, exception=None):
    """handler400: problem details under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return problem_json(400, "The request could not be read.")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    """handler403: problem details under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return problem_json(403, "You may not do this.")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    """handler404: problem details under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return problem_json(404, "There is no such address in this API.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: problem details under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return problem_json(500, "Something went wrong on our side. It has been logged.")
    return defaults.server_error(request)
