from django.urls import path

from . import arrangement, directory, documents, enrolment, lots, quality, services

urlpatterns = [
    path("lots/", lots.LotList.as_view(), name="lots"),
    *enrolment.urlpatterns,
    *documents.urlpatterns,
    *services.urlpatterns,
    *quality.urlpatterns,
    *directory.urlpatterns,
    *arrangement.urlpatterns,
]
