"""Pages: invoices (to be built)."""

from django.http import HttpResponse

from dps.decorators import actor_required


@actor_required()
def invoice_list(request):
    return HttpResponse("")
