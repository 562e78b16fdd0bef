"""Placeholder: being built."""

from django.http import Http404


def opportunity_list(request, **kwargs):
    raise Http404


def opportunity_detail(request, **kwargs):
    raise Http404


def bid(request, **kwargs):
    raise Http404


def bid_withdraw(request, **kwargs):
    raise Http404


def bid_confirm(request, **kwargs):
    raise Http404


def opportunity_decline(request, **kwargs):
    raise Http404


def question_ask(request, **kwargs):
    raise Http404
