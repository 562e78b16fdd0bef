from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("organisations/", views.OrganisationList.as_view(), name="organisations"),
    path("members/", views.MemberList.as_view(), name="members"),
    path("invitations/", views.InvitationCreate.as_view(), name="invitations"),
    path("audit-events/", views.AuditEventList.as_view(), name="audit-events"),
]
