from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand

from dps.demo import DEMO_PASSWORD


def demo_modules():
    for config in apps.get_app_configs():
        try:
            yield import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise


class Command(BaseCommand):
    help = "Create the demo consortium, boroughs, lots, providers and users (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins.")
        parser.add_argument("--no-logins", action="store_true", help="Do not print the logins.")

    def handle(self, *args, logins=False, no_logins=False, **options):
        modules = list(demo_modules())
        if not logins:
            for module in modules:
                self.stdout.write(f"Seeding {module.__name__} …")
                module.seed(self.stdout)
        if no_logins:
            return
        self.stdout.write(f"\nDemo logins (every password: {DEMO_PASSWORD})")
        for module in modules:
            for role, email in getattr(module, "logins", list)():
                self.stdout.write(f"  {role:<48} {email}")
