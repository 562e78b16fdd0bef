"""Forms of the providers app, one module per part (enrolment, services, documents, quality)."""
