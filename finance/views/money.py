"""Pages: money (to be built)."""

from django.http import HttpResponse

from dps.decorators import actor_required


@actor_required()
def money_report(request):
    return HttpResponse("")
