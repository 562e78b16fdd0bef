"""Pages of the enrolment part."""

from django.urls import path

from ..views import enrolment as views

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/check-your-email/", views.register_done, name="register_done"),
    path("applications/", views.applications, name="applications"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/<int:pk>/", views.application_detail_view, name="application_detail"),
    path("consortium/applications/", views.review_queue_view, name="review_queue"),
    path("consortium/applications/<int:pk>/", views.application_review, name="application_review"),
    path("consortium/enrolments/", views.enrolment_list, name="enrolment_list"),
    path("consortium/enrolments/<int:pk>/", views.enrolment_manage, name="enrolment_manage"),
    path("consortium/declarations/", views.declaration_questions, name="declaration_questions"),
    path(
        "consortium/declarations/<int:pk>/",
        views.declaration_question_edit,
        name="declaration_question_edit",
    ),
]
