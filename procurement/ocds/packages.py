"""Release packages, record packages and the bulk file, as OCDS 1.1 publishes them."""

import json
import zlib

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..selectors import ocds as selectors
from .releases import notice_release, placement_release, stamp
from .schema import EXTENSIONS, merger

# The licence of the data: the Open Government Licence v3.0, as Find a Tender's.
LICENSE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
PAGE_SIZE = 100
BULK_PACKAGE_SIZE = 1000


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def release_of(origin, obj):
    return notice_release(obj) if origin == selectors.NOTICE else placement_release(obj)


def releases_of(rows):
    return [release_of(origin, obj) for origin, obj in selectors.load(rows)]


def package_metadata(uri, releases):
    """What every package says of itself. Its publishedDate is that of its latest release (the
    package is made on demand), or now for an empty one."""
    published = max((r["date"] for r in releases), default=None) or stamp(timezone.now())
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": list(EXTENSIONS),
        "publishedDate": published,
        "publisher": {"name": settings.SERVICE_NAME, "uri": absolute("/")},
        "license": LICENSE,
        "publicationPolicy": absolute(reverse("procurement:ocds_index")),
    }


def release_package(releases, *, uri, links=None):
    package = package_metadata(uri, releases)
    if links:
        package["links"] = links
    package["releases"] = releases
    return package


def record_package(ocid, releases, *, uri):
    """The process's record: its releases, and the release compiled from them by ocdsmerge."""
    compiled = merger().create_compiled_release(releases)
    package = package_metadata(uri, releases)
    package["packages"] = [absolute(reverse("procurement:ocds_releases"))]
    package["records"] = [{"ocid": ocid, "releases": releases, "compiledRelease": compiled}]
    return package


def bulk_lines(index):
    """Every release, as line-delimited release packages of up to BULK_PACKAGE_SIZE releases,
    read a batch at a time."""
    uri = absolute(reverse("procurement:ocds_bulk"))
    offset = 0
    while True:
        rows = list(index[offset : offset + BULK_PACKAGE_SIZE])
        if not rows:
            return
        package = release_package(releases_of(rows), uri=uri)
        yield json.dumps(package, separators=(",", ":")) + "\n"
        offset += BULK_PACKAGE_SIZE


def gzipped(chunks):
    """Compress a stream of text as it goes (gzip format), never holding it whole."""
    compressor = zlib.compressobj(wbits=31)
    for chunk in chunks:
        data = compressor.compress(chunk.encode())
        if data:
            yield data
    yield compressor.flush()
