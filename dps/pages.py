"""What every page shares: pagination, and running a form through a service."""

from collections.abc import Callable, Mapping
from typing import TypeVar

from django.core.paginator import Paginator
from django.shortcuts import render

from .services import DomainError

PAGE_SIZE = 50
T = TypeVar("T")


def paginate(request, queryset, per_page=PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def show_refusal(form, refusal: DomainError) -> None:
    """Show a service's refusal on the form: its problems each beside its field, if it lists
    several and the form can place them (`add_problems`); else its message beside the field
    it names (the form's own name for it, if the form maps them: `field_for`), or above the
    form."""
    problems = getattr(refusal, "problems", None)
    if problems is not None and hasattr(form, "add_problems"):
        form.add_problems(problems)
        return
    field = form.field_for(refusal.field) if hasattr(form, "field_for") else refusal.field
    form.add_error(field if field in form.fields else None, refusal.message)


def submit(form, service: Callable[..., T], /, data: Mapping | None = None, **kwargs) -> T | None:
    """Call `service` with a valid form's data (or `data`) and kwargs. A rule the service
    refuses becomes a form error (see `show_refusal`); then the result is None. The form and
    the service are positional only, so a service may take arguments of those names."""
    try:
        return service(**(form.cleaned_data if data is None else data), **kwargs)
    except DomainError as exc:
        show_refusal(form, exc)
        return None


def render_form(request, template, form, context=None):
    """Render a form page; a form sent with errors answers 400 and keeps what was typed."""
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {"form": form, **(context or {})}, status=status)
