"""Pages: the money report, each placement's cost schedule, and the borough's billing
settings."""

from django.urls import path

from ..views import money as views

urlpatterns = [
    path("finance/money/", views.money_report, name="money_report"),
]
