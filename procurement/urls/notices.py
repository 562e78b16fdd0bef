"""Pages: notices."""

from django.urls import path

from ..views import notices as views

urlpatterns = [
    path("procurement/notices/", views.notice_list, name="notice_list"),
    path("procurement/notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("procurement/notices/<int:pk>/draft/", views.notice_draft_view, name="notice_draft"),
    path("procurement/notices/<int:pk>/export/", views.notice_export, name="notice_export"),
    path("procurement/notices/<int:pk>/publish/", views.notice_publish_view, name="notice_publish"),
]
