"""Routes of the providers app's documents part, for tests/test_url_tenancy.py.

Provider A's documents are the victim: its users may list, upload and download them, and the
consortium admin may read them once provider A has applied to the consortium's DPS. The file
itself carries provider A's name, so a download to anyone else would show a marker."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import ApplicationFactory, DocumentFactory, LotFactory
from tests.test_url_tenancy import Tenant

PDF = b"%PDF-1.4\n% Alpha Care public liability certificate\n%%EOF\n"


def a_document(world):
    return DocumentFactory(
        provider=world.provider_a,
        file__data=PDF,
        original_name="alpha-care-liability.pdf",
        size=len(PDF),
        expires_on=timezone.localdate() + timedelta(days=200),
    )


def provider_a_applied(world):
    """Provider A, having applied to the personas' consortium, with a document."""
    ApplicationFactory(
        provider=world.provider_a, lot=LotFactory(consortium=world.consortium), status="submitted"
    )
    a_document(world)
    return world.provider_a


def upload(world):
    today = timezone.localdate()
    return {
        "document_type": "safeguarding_policy",
        "issued_on": (today - timedelta(days=10)).isoformat(),
        "file": SimpleUploadedFile("policy.pdf", PDF, content_type="application/pdf"),
    }


ROUTES = {
    "providers:documents": Tenant(
        victim="provider_a", owner="provider_admin_a", owner_sees="Alpha Care"
    ),
    "providers:document_upload": Tenant(
        victim="provider_a",
        owner="provider_admin_a",
        owner_sees="Alpha Care",
        post=upload,
        changes=True,
    ),
    "providers:document_download": Tenant(
        victim="provider_a",
        owner="provider_admin_a",
        owner_sees="Alpha Care public liability certificate",
        kwargs={"pk": a_document},
    ),
    "providers:provider_documents": Tenant(
        victim="provider_a",
        owner="admin",
        owner_sees="alpha-care-liability.pdf",
        kwargs={"pk": provider_a_applied},
        markers=("Alpha Care", "alpha-care-liability.pdf"),
    ),
    "api:providers:documents": Tenant(
        victim="provider_a", owner="provider_admin_a", owner_sees=None
    ),
    "api:providers:provider-documents": Tenant(
        victim="provider_a",
        owner="admin",
        owner_sees="alpha-care-liability.pdf",
        kwargs={"provider_pk": provider_a_applied},
        markers=("Alpha Care", "alpha-care-liability.pdf"),
    ),
}
