"""Pages of the arrangement part (consortium admin)."""

from django.urls import path

from ..views import arrangement as views

urlpatterns = [
    path("consortium/arrangement/", views.arrangement_settings, name="arrangement"),
    path("consortium/arrangement/conditions/", views.conditions, name="conditions"),
    path("consortium/arrangement/openings/", views.openings, name="openings"),
    path("consortium/arrangement/openings/<int:pk>/", views.opening_edit, name="opening_edit"),
]
