"""Honour an `Idempotency-Key` header on every API POST.

The first request with a key runs and its answer is stored for 24 hours; a retry with the same
key and body gets the same answer without running again; the same key with another body is a
422. Answers that a retry may change (server errors, 401, 403, 429) are not kept, and neither
is anything the request wrote: the request runs in one transaction with its record. Keys
belong to the caller as authenticated now: a revoked API key replays nothing.
"""

import hashlib
import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import authentication, exceptions

from ..models import IdempotencyKey
from .authentication import ApiKeyAuthentication

HEADER = "HTTP_IDEMPOTENCY_KEY"
NOT_KEPT = {401, 403, 429}
# Printable ASCII, as a header value should be; no control characters reach the database.
VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")


def _problem(status, detail):
    body = {"type": "about:blank", "title": "Idempotency-Key", "status": status, "detail": detail}
    return HttpResponse(json.dumps(body), status=status, content_type="application/problem+json")


def _owner(request):
    """Whose keys these are: the API client the request authenticates as, or the signed-in
    user. Asked before anything is replayed, so a revoked key or a deactivated user replays
    nothing (the view then answers 401 as it would without the header)."""
    if authentication.get_authorization_header(request):
        try:
            found = ApiKeyAuthentication().authenticate(request)
        except exceptions.AuthenticationFailed:
            return None
        return f"client:{found[1].pk}" if found else None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        return f"user:{user.pk}"
    return None


def _digest(request):
    """A fingerprint of the request. A file upload is read from its parsed parts (spooled to
    disk for large files), since its raw body may be too large to hold in memory."""
    digest = hashlib.sha256(request.method.encode() + request.get_full_path().encode() + b"\n")
    if request.content_type != "multipart/form-data":
        digest.update(request.body)
        return digest.hexdigest()
    for name, values in sorted(request.POST.lists()):
        digest.update(json.dumps([name, values]).encode())
    for name, files in sorted(request.FILES.lists()):
        for upload in files:
            digest.update(json.dumps([name, upload.name, upload.size]).encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        owner = _owner(request)
        if owner is None:
            return self.get_response(request)
        key = key.strip()
        if not VALID_KEY.fullmatch(key):
            return _problem(
                400, "The Idempotency-Key header must be 1 to 255 printable ASCII characters."
            )
        try:
            digest = _digest(request)
        except RequestDataTooBig:
            return _problem(413, "The request body is too large.")
        # A record older than the time we promise to keep it is gone, even before the purge.
        expired = timezone.now() - settings.IDEMPOTENCY_KEY_TTL
        IdempotencyKey.objects.filter(owner=owner, key=key, created_at__lt=expired).delete()
        # The record, the view's writes and the stored answer commit together: a request that
        # dies half-way leaves nothing behind, and a concurrent retry waits on the record's
        # unique key, then replays the answer.
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(
                        owner=owner,
                        key=key,
                        method=request.method,
                        path=request.path[:500],
                        request_hash=digest,
                    )
            except IntegrityError:
                record = None
            if record is not None:
                response = self.get_response(request)
                if (
                    response.status_code >= 500
                    or response.status_code in NOT_KEPT
                    or response.streaming
                    or transaction.get_connection().needs_rollback
                ):
                    transaction.set_rollback(True)
                    return response
                record.status_code = response.status_code
                record.content_type = response.get("Content-Type", "")
                record.response_body = bytes(response.content)
                record.save(update_fields=["status_code", "content_type", "response_body"])
                return response
        return self._replay(owner, key, digest)

    def _replay(self, owner, key, digest):
        record = IdempotencyKey.objects.filter(owner=owner, key=key).first()
        if record is None:  # deleted between our insert and this read: let the client retry
            return _problem(409, "A request with this Idempotency-Key is being retried.")
        if record.request_hash != digest:
            return _problem(422, "This Idempotency-Key was used with a different request.")
        if record.status_code is None:
            return _problem(409, "A request with this Idempotency-Key is still in progress.")
        response = HttpResponse(
            bytes(record.response_body or b""),
            status=record.status_code,
            content_type=record.content_type or "application/json",
        )
        response["Idempotent-Replayed"] = "true"
        return response
