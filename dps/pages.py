"""What every page shares: pagination, and running a form through a service."""

from django.core.paginator import Paginator
from django.shortcuts import render

from .services import DomainError

PAGE_SIZE = 50


def paginate(request, queryset, per_page=PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def submit(form, service, data=None, **kwargs):
    """Call `service` with a valid form's data (or `data`) and kwargs. A rule the service
    refuses becomes a form error, shown beside the field it names; then the result is None."""
    try:
        return service(**(form.cleaned_data if data is None else data), **kwargs)
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


def render_form(request, template, form, context=None):
    """Render a form page; a form sent with errors answers 400 and keeps what was typed."""
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {"form": form, **(context or {})}, status=status)
