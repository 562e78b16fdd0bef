"""django-allauth and django-axes hooks."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from .models import Membership
from .services.emails import email_queue


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # People join by invitation from their organisation's admin.
        return settings.ACCOUNT_ALLOW_SIGNUP

    def send_mail(self, template_prefix, email, context):
        """Account emails (verification, password reset) go through the outbox too."""
        message = self.render_mail(template_prefix, email, context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        # The recipient's organisation scopes who may see the email in the outbox.
        membership = (
            Membership.objects.filter(user__email__iexact=email, is_active=True)
            .select_related("organisation")
            .first()
        )
        email_queue(
            to=email,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            organisation=membership.organisation if membership else None,
            sensitive=True,
        )


def axes_username(request, credentials):
    """The login name axes counts failures against: allauth sends `email`, the admin
    `username`."""
    credentials = credentials or {}
    name = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not name and request is not None:
        name = request.POST.get("login") or request.POST.get("username")
    return (name or "").strip().lower()
