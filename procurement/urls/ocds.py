"""Pages: ocds, the open data (public, no sign-in)."""

from django.urls import path

from ..views import ocds

urlpatterns = [
    path("ocds/", ocds.ocds_index, name="ocds_index"),
    path("ocds/releases.json", ocds.ReleasesView.as_view(), name="ocds_releases"),
    path("ocds/releases.jsonl.gz", ocds.BulkView.as_view(), name="ocds_bulk"),
    path("ocds/records/<str:ocid>.json", ocds.RecordView.as_view(), name="ocds_record"),
]
