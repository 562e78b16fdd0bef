from django.urls import path

from ..views import visits as views

urlpatterns = [
    path("monitoring/visits/", views.visit_list, name="visit_list"),
    path("monitoring/visits/overdue/", views.visit_overdue, name="visit_overdue"),
    path("monitoring/visits/new/", views.visit_schedule, name="visit_schedule"),
    path("monitoring/visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("monitoring/visits/<int:pk>/cancel/", views.visit_cancel, name="visit_cancel"),
]
