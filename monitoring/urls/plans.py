from django.urls import path

from ..views import plans as views

urlpatterns = [
    path("monitoring/plans/", views.plan_list, name="plan_list"),
    path("monitoring/plans/new/", views.plan_open, name="plan_open"),
    path("monitoring/plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("monitoring/plans/<int:pk>/review/", views.plan_review, name="plan_review"),
    path(
        "monitoring/plans/<int:pk>/actions/<int:action_pk>/",
        views.action_update,
        name="plan_action_update",
    ),
    path("monitoring/plans/<int:pk>/close/", views.plan_close, name="plan_close"),
    path("monitoring/plans/<int:pk>/suspend/", views.plan_suspend, name="plan_suspend"),
]
