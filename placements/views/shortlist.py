"""Placeholder: being built."""

from django.http import Http404


def shortlist(request, **kwargs):
    raise Http404


def shortlist_confirm(request, **kwargs):
    raise Http404


def young_person_view(request, **kwargs):
    raise Http404


def award(request, **kwargs):
    raise Http404
