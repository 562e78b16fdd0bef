"""The demo data gives every provider its mandatory documents, some close to expiry."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from providers.demo import PROVIDERS
from providers.models import MANDATORY_TYPES, Document

# Seeded once for the module (tests/demo_data.py); a test that seeds again checks that
# nothing changes.
pytestmark = pytest.mark.usefixtures("demo")


def test_every_demo_provider_has_its_mandatory_documents_some_near_expiry(db):
    call_command("seed_demo", stdout=io.StringIO())  # again

    documents = Document.objects.all()
    assert documents.count() == len(PROVIDERS) * len(MANDATORY_TYPES)
    today = timezone.localdate()
    expiries = [d.expires_on - today for d in documents if d.expires_on]
    assert timedelta(days=5) in expiries
    assert timedelta(days=25) in expiries
    assert sum(1 for e in expiries if e <= timedelta(0)) == 1
    for document in documents:
        with document.file.open("rb") as stored:
            assert stored.read().startswith(b"%PDF-")
