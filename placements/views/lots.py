"""Placeholder: being built."""

from django.http import Http404


def lot_list(request, **kwargs):
    raise Http404


def lot_edit(request, **kwargs):
    raise Http404
