from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import views
from .api.docs import ApiDocsView

admin.site.site_header = f"{settings.SERVICE_NAME} operators"
# The admin site signs in through the service's own login, so its second factor and
# throttling apply there too; the admin's password-only form is never used.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

api_v1 = [
    path("", include(("dps.api.urls", "core"))),
    path("", include(("providers.api.urls", "providers"))),
    path("", include(("placements.api.urls", "placements"))),
    path("", include(("procurement.api.urls", "procurement"))),
    path("", include(("finance.api.urls", "finance"))),
    path("", include(("monitoring.api.urls", "monitoring"))),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("organisation/users/", views.org_users, name="org_users"),
    path(
        "organisation/users/<int:pk>/deactivate/",
        views.membership_set_active,
        {"active": False},
        name="membership_deactivate",
    ),
    path(
        "organisation/users/<int:pk>/reactivate/",
        views.membership_set_active,
        {"active": True},
        name="membership_reactivate",
    ),
    path("organisation/api-clients/", views.api_clients, name="api_clients"),
    path(
        "organisation/api-clients/<int:pk>/revoke/",
        views.api_client_revoke_view,
        name="api_client_revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    path("consortium/boroughs/", views.consortium_boroughs, name="consortium_boroughs"),
    path("consortium/boroughs/<int:pk>/invite/", views.borough_invite, name="borough_invite"),
    path("audit/", views.audit_log, name="audit_log"),
    path("emails/", views.email_outbox, name="email_outbox"),
    path("emails/<int:pk>/retry/", views.email_retry_view, name="email_retry"),
    path("", include(("providers.urls", "providers"))),
    path("", include(("placements.urls", "placements"))),
    path("", include(("procurement.urls", "procurement"))),
    path("", include(("finance.urls", "finance"))),
    path("", include(("monitoring.urls", "monitoring"))),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]

# Errors under /api/ are problem-details JSON; elsewhere the usual pages.
handler400 = "dps.api.exceptions.bad_request"
handler403 = "dps.api.exceptions.permission_denied"
handler404 = "dps.api.exceptions.page_not_found"
# A database or Redis that is down: 503 with Retry-After, as a page or as problem details.
handler500 = "dps.views.server_error"
