"""What a provider organisation tells the DPS about itself when it registers."""

from django.db import models


class ProviderProfile(models.Model):
    organisation = models.OneToOneField(
        "dps.Organisation",
        on_delete=models.CASCADE,
        related_name="provider_profile",
        limit_choices_to={"kind": "provider"},
    )
    legal_name = models.CharField(max_length=200)
    companies_house_number = models.CharField(max_length=8, blank=True)
    charity_number = models.CharField(max_length=8, blank=True)
    address = models.TextField()
    postcode = models.CharField(max_length=8)
    contact_name = models.CharField(max_length=150)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=30)
    registered_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.legal_name
