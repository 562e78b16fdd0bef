"""The open data, public without sign-in: a page for people, release packages (paginated and
filtered by date), a record per contracting process, and every release in one gzipped file.

The JSON endpoints are DRF views so the API's throttle (per address, for anonymous callers) and
its problem-details errors apply; they are left out of the API's OpenAPI schema, which describes
the authenticated API under /api/v1/."""

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from dps.api.exceptions import problem
from dps.middleware import public_cache

from ..ocds import packages
from ..ocds.releases import parse_ocid
from ..selectors import ocds as selectors


def ocds_index(request):
    return render(
        request,
        "procurement/ocds.html",
        {
            "releases_url": reverse("procurement:ocds_releases"),
            "bulk_url": reverse("procurement:ocds_bulk"),
            "record_example": reverse("procurement:ocds_record", args=["OCID"]),
        },
    )


# Open data changes when a notice is published or an award made: a few minutes' staleness
# spares the database repeated reads of the same pages.
CACHE_SECONDS = 300


class PublicView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    schema = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            public_cache(response, max_age=CACHE_SECONDS)
        return response


class ReleasesQuery(serializers.Serializer):
    since = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    until = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    page = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000, default=1)

    def validate(self, attrs):
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and until < since:
            raise serializers.ValidationError(
                {"until": ["The until date is before the since date."]}
            )
        return attrs


def bad_query(errors):
    return problem(
        400, "The query has invalid fields: dates are YYYY-MM-DD, the page a number.", errors
    )


class ReleasesView(PublicView):
    """A release package of PAGE_SIZE releases, in order of date, with links.next and
    links.prev (the pagination extension)."""

    def get(self, request):
        query = ReleasesQuery(data=request.query_params)
        if not query.is_valid():
            return bad_query(query.errors)
        since, until, page = (query.validated_data.get(k) for k in ("since", "until", "page"))
        index = selectors.release_index(since=since, until=until)
        size = packages.PAGE_SIZE
        rows = list(index[(page - 1) * size : page * size + 1])
        more = len(rows) > size
        rows = rows[:size]

        def page_url(number):
            params = {k: v.isoformat() for k, v in (("since", since), ("until", until)) if v}
            params["page"] = number
            return packages.absolute(f"{reverse('procurement:ocds_releases')}?{urlencode(params)}")

        links = {}
        if more:
            links["next"] = page_url(page + 1)
        if page > 1:
            links["prev"] = page_url(page - 1)
        package = packages.release_package(
            packages.releases_of(rows), uri=page_url(page), links=links
        )
        return Response(package)


class RecordView(PublicView):
    """The record of one contracting process: its releases and its compiled release."""

    def get(self, request, ocid):
        process = parse_ocid(ocid)
        if process is None:
            raise Http404
        rows = list(selectors.process_index(*process))
        if not rows:
            raise Http404
        uri = packages.absolute(reverse("procurement:ocds_record", args=[ocid]))
        return Response(packages.record_package(ocid, packages.releases_of(rows), uri=uri))


class BulkView(PublicView):
    """Every release, as gzipped line-delimited release packages, streamed."""

    def get(self, request):
        lines = packages.bulk_lines(selectors.release_index())
        response = StreamingHttpResponse(packages.gzipped(lines), content_type="application/gzip")
        response["Content-Disposition"] = 'attachment; filename="releases.jsonl.gz"'
        return response
