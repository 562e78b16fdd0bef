from django.urls import path

from ..views import services as views

urlpatterns = [
    path("services/", views.service_list, name="services"),
    path("services/new/", views.service_create_view, name="service_create"),
    path("services/<int:pk>/", views.service_detail, name="service"),
    path("services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("services/<int:pk>/deactivate/", views.service_deactivate, name="service_deactivate"),
    path("services/<int:pk>/reactivate/", views.service_reactivate, name="service_reactivate"),
    path("vacancies/", views.vacancies, name="vacancies"),
    path("ofsted-import/", views.ofsted_import_view, name="ofsted_import"),
    path("services/<int:pk>/rating/", views.rating_propose, name="service_rating_propose"),
    path("rating-corrections/", views.rating_proposals, name="rating_proposals"),
    path("rating-corrections/<int:pk>/", views.rating_proposal_decide, name="rating_proposal"),
]
