from django.urls import path

from . import views

urlpatterns = [
    path("lots/", views.LotList.as_view(), name="lots"),
]
