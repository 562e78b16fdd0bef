"""The finance app's sections of the service navigation, by role."""


def items(actor):
    """(label, url name) pairs for the actor."""
    if not actor.is_person:
        return []
    if actor.is_finance_officer:
        return [
            ("Invoices", "finance:invoice_list"),
            ("Uplifts", "finance:uplift_list"),
            ("Billing settings", "finance:billing_settings"),
        ]
    if actor.is_provider:
        return [("Invoices", "finance:invoice_list"), ("Uplifts", "finance:uplift_list")]
    if actor.is_consortium_admin or actor.role == "commissioner":
        return [("Money", "finance:money_report"), ("Uplifts", "finance:uplift_list")]
    return []
