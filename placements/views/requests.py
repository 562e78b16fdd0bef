"""Placeholder: being built."""

from django.http import Http404


def request_list(request, **kwargs):
    raise Http404


def request_create(request, **kwargs):
    raise Http404


def request_detail(request, **kwargs):
    raise Http404


def request_edit(request, **kwargs):
    raise Http404


def request_publish(request, **kwargs):
    raise Http404


def request_cancel(request, **kwargs):
    raise Http404


def request_reopen(request, **kwargs):
    raise Http404


def request_no_offer(request, **kwargs):
    raise Http404


def question_answer(request, **kwargs):
    raise Http404
