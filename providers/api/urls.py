from django.urls import path

from . import directory, documents, enrolment, quality, services, views

urlpatterns = [
    path("lots/", views.LotList.as_view(), name="lots"),
    *enrolment.urlpatterns,
    *documents.urlpatterns,
    *services.urlpatterns,
    *quality.urlpatterns,
    *directory.urlpatterns,
]
