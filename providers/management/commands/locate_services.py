"""manage.py locate_services: locate every service again with the ONS Postcode Directory as
loaded now (after `load_postcodes` loads a new release, or for services saved before it was
loaded). Safe to run again: a service already located as the directory says is left alone."""

from django.core.management.base import BaseCommand

from providers.services.location import services_relocate


class Command(BaseCommand):
    help = "Locate every service again with the ONS Postcode Directory loaded now."

    def handle(self, *args, **options):
        changed = services_relocate()
        self.stdout.write(f"Services located again: {changed}")
