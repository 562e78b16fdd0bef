from django.apps import AppConfig


class DpsConfig(AppConfig):
    name = "dps"
    verbose_name = "DPS core"

    def ready(self):
        from django.contrib.auth import signals

        from . import auth_audit

        # Sign-ins are recorded wherever they happen: the service's pages or the admin site.
        signals.user_logged_in.connect(auth_audit.logged_in, dispatch_uid="dps-audit-login")
        signals.user_logged_out.connect(auth_audit.logged_out, dispatch_uid="dps-audit-logout")
        signals.user_login_failed.connect(auth_audit.login_failed, dispatch_uid="dps-audit-fail")
