"""Placeholder: being built."""

from django.http import Http404


def placement_list(request, **kwargs):
    raise Http404


def placement_detail(request, **kwargs):
    raise Http404


def placement_ipa(request, **kwargs):
    raise Http404
