"""API views of the directory part, and their routes (included by providers/api/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns = []
