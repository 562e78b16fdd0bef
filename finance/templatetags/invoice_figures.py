"""Money on the invoices' pages, as dps.formatting shows it everywhere."""

from django import template

from dps import formatting

register = template.Library()


@register.filter
def money(value):
    """ "£3,000.00", "-£12.50"; "" for no amount."""
    return formatting.money(value)


@register.filter
def signed_money(value):
    """A difference: "+£114.29", "-£100.00", "£0.00"."""
    if value is None:
        return ""
    text = formatting.money(value)
    return f"+{text}" if value > 0 else text
