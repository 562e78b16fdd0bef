"""Demo lots, and 12 providers with their services and users."""

import random
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from dps.demo import CONSORTIUM, demo_user
from dps.models import Organisation, Role
from geography.selectors import Unknown

from .models import MANDATORY_TYPES, Document, DocumentType, Lot, OfstedRating, Service
from .models.documents import EXPIRING_TYPES
from .selectors.arrangement import arrangement_of, conditions_in_force
from .services.location import service_locate

LOTS = [
    ("childrens-homes", "Residential children's homes"),
    ("fostering", "Independent fostering"),
    ("supported-16-plus", "Supported accommodation 16+"),
    ("parent-and-child", "Parent and child"),
    ("send-schools", "SEND independent and non-maintained schools"),
]

PROVIDERS = [
    ("Harbour House Care", Service.Type.CHILDRENS_HOME),
    ("Oakleaf Children's Homes", Service.Type.CHILDRENS_HOME),
    ("Riverside Residential", Service.Type.CHILDRENS_HOME),
    ("Brightpath Homes", Service.Type.CHILDRENS_HOME),
    ("Family First Fostering", Service.Type.FOSTERING),
    ("Kinship Foster Care", Service.Type.FOSTERING),
    ("Compass Fostering South", Service.Type.FOSTERING),
    ("Stepping Stones 16+", Service.Type.SUPPORTED_ACCOMMODATION),
    ("Next Chapter Living", Service.Type.SUPPORTED_ACCOMMODATION),
    ("Cradle Parent and Child", Service.Type.PARENT_AND_CHILD),
    ("Meadowbank School", Service.Type.SCHOOL),
    ("Lighthouse Learning Trust", Service.Type.SCHOOL),
]
# The demo's areas, with real postcodes in each (ONS Postcode Directory): the boroughs are
# Islington, Newham and Hammersmith and Fulham under other names (dps/demo.py), and Kent and
# Surrey are themselves, from the Medway towns (about 28 miles from Islington) to Dover (over
# 70). A service takes the postcodes of its area in turn.
AREA_POSTCODES = {
    "Northbridge": ["N7 9RR", "N19 3DF", "N1 8QF", "N5 1QJ", "EC1V 3QU"],
    "Eastmoor": ["E12 6AR", "E13 0BE", "E15 3PA", "E6 3QL", "E7 0QR"],
    "Westvale": ["W6 9JH", "W12 0LH", "W14 8SB", "SW6 5TJ"],
    "Kent": ["ME14 5PA", "ME2 2HL", "TN24 8RG", "CT1 1PD", "CT16 2HR"],
    "Surrey": ["GU1 1EP", "GU21 4PN", "GU9 7JN", "KT22 7HU", "RH1 4AS"],
}
AREAS = list(AREA_POSTCODES)
# Each provider also runs one service further afield, in a city across England (from Bristol,
# about 105 miles from Islington, to Newcastle, about 250), as a national provider would: the
# services a request's maximum distance leaves out, and the placements far from home the DfE
# counts.
FURTHER_POSTCODES = {
    "Birmingham": ["B1 2NR", "B15 3DX"],
    "Manchester": ["M14 6LA", "M8 9LG"],
    "Leeds": ["LS12 4JW", "LS8 4BR"],
    "Bristol": ["BS3 3LL", "BS5 7AQ"],
    "Newcastle upon Tyne": ["NE4 6UQ", "NE6 2UY"],
    "Nottingham": ["NG7 2RD", "NG3 1AF"],
}
FURTHER = list(FURTHER_POSTCODES)
AGES = {
    Service.Type.CHILDRENS_HOME: (8, 17),
    Service.Type.FOSTERING: (0, 17),
    Service.Type.SUPPORTED_ACCOMMODATION: (16, 17),
    Service.Type.PARENT_AND_CHILD: (16, 17),
    Service.Type.SCHOOL: (5, 17),
}


def _slug(name):
    return slugify(name.replace("'", ""))


@transaction.atomic
def seed(stdout):
    consortium = Organisation.objects.get(slug=CONSORTIUM[0])
    for position, (code, name) in enumerate(LOTS):
        Lot.objects.get_or_create(
            consortium=consortium, code=code, defaults={"name": name, "position": position}
        )
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data, not security
    ratings = list(OfstedRating.values)
    for index, (name, service_type) in enumerate(PROVIDERS):
        slug = _slug(name)
        provider, _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": Organisation.Kind.PROVIDER}
        )
        if index < 2:
            demo_user(
                f"admin@{slug}.example",
                provider,
                Role.PROVIDER_ADMIN,
                full_name=f"{name} Admin",
                is_org_admin=True,
            )
            demo_user(f"bidder@{slug}.example", provider, Role.BIDDER, full_name=f"{name} Bidder")
        age_min, age_max = AGES[service_type]
        for number in range(1, 4):
            if number < 3:
                area = AREAS[(index + number) % len(AREAS)]
                postcodes = AREA_POSTCODES[area]
                postcode = postcodes[(index * 2 + number) % len(postcodes)]
            else:
                area = FURTHER[index % len(FURTHER)]
                postcode = FURTHER_POSTCODES[area][index // len(FURTHER) % 2]
            places = rng.randint(2, 6)
            service, created = Service.objects.get_or_create(
                provider=provider,
                name=f"{name} – {area} {number}",
                defaults={
                    "service_type": service_type,
                    "ofsted_urn": f"SC{100000 + index * 10 + number}",
                    "ofsted_rating": rng.choice(ratings),
                    "registered_places": places,
                    "vacancies": rng.randint(0, places),
                    "age_min": age_min,
                    "age_max": age_max,
                    "local_authority": area,
                    "postcode": postcode,
                },
            )
            if created or not service.postcode:
                # Located with the directory when it is loaded (as `make run` loads it), else
                # kept with its district, to be located when the postcode is next saved.
                service.postcode = service.postcode or postcode
                service_locate(service)
                if service.location_unknown == Unknown.NOT_LOADED:
                    service.local_authority = area
                service.save()
    services_details_seed(now=timezone.now())
    documents_seed(today=timezone.localdate())
    stdout.write("  5 lots, 12 providers with 36 services across England, 2 providers' users")
    stdout.write(
        "  each provider's mandatory documents: some expiring in 5 and 25 days, one expired"
    )
    arrangement_seed(consortium=consortium)
    stdout.write(
        "  the arrangement: a dynamic market with conditions of membership, versions 1 and 2"
    )
    enrolment_seed(consortium=consortium, now=timezone.now())
    stdout.write("  declaration questions; applications and enrolments in every state")
    # Quality part: keep this last, so the scores see everything seeded above.
    scored = quality_scores_seed()
    stdout.write(f"  quality scores of the {scored} enrolled providers not yet scored")


def quality_scores_seed():
    """Score every demo provider once (reseeding keeps the scores it has); providers enrolled
    nowhere get none. Returns how many providers were scored."""
    from .models import QualityScore
    from .services.quality import quality_score_recompute

    scored = 0
    for name, _ in PROVIDERS:
        provider = Organisation.objects.get(slug=_slug(name))
        if QualityScore.objects.filter(provider=provider).exists():
            continue
        scored += bool(quality_score_recompute(provider=provider, trigger="demo data"))
    return scored


# Services part: the needs each demo service meets, its specialisms, its last inspection, and
# when its vacancies were confirmed: half of them recently, half 20 days ago (out of date).
SPECIALISMS_BY_TYPE = {
    Service.Type.CHILDRENS_HOME: ["cse", "cce", "mental_health", "solo", "therapeutic"],
    Service.Type.FOSTERING: ["siblings", "uasc", "disability", "autism"],
    Service.Type.SUPPORTED_ACCOMMODATION: ["uasc", "substance_misuse", "remand"],
    Service.Type.PARENT_AND_CHILD: ["mental_health", "learning_disability"],
    Service.Type.SCHOOL: ["autism", "learning_disability", "disability"],
}


def services_details_seed(*, now):
    """Fill in the demo services' needs met, specialisms, inspection dates and vacancy dates
    (once: a service that already has needs met is left as it is)."""
    from .needs import INDICATOR_CODES

    demo_services = Service.objects.filter(
        provider__slug__in=[_slug(name) for name, _ in PROVIDERS], needs_met={}
    ).order_by("provider__slug", "name")
    for position, service in enumerate(demo_services):
        rng = random.Random(service.name)  # noqa: S311 - reproducible demo data
        met = rng.sample(INDICATOR_CODES, rng.randint(6, 12))
        service.needs_met = {code: rng.randint(1, 3) for code in met}
        options = SPECIALISMS_BY_TYPE[service.service_type]
        service.specialisms = sorted(rng.sample(options, rng.randint(1, min(3, len(options)))))
        if service.ofsted_rating != OfstedRating.NOT_YET_INSPECTED:
            # Fixed dates before docs/samples/ofsted_sample.csv's, so importing it updates them.
            service.inspection_date = date(2023, 1, 2) + timedelta(days=rng.randint(0, 500))
        days = 20 if position % 2 else rng.randint(0, 5)
        service.vacancies_updated_at = now - timedelta(days=days)
        service.save()


# Documents part: (provider index, document type) -> days until it expires; others last a year.
DOCUMENT_EXPIRIES = {
    (0, DocumentType.PUBLIC_LIABILITY): 25,
    (1, DocumentType.EMPLOYERS_LIABILITY): 5,
    (2, DocumentType.PROFESSIONAL_INDEMNITY): 25,
    (3, DocumentType.FINANCIAL_STANDING): 5,
    (4, DocumentType.DPS_TERMS): -3,  # expired: the daily task suspends its enrolments
}


def documents_seed(*, today):
    """Each demo provider's mandatory documents, as small PDFs (once: kept on reseeding)."""
    for index, (name, _) in enumerate(PROVIDERS):
        provider = Organisation.objects.get(slug=_slug(name))
        for document_type in sorted(MANDATORY_TYPES):
            if Document.objects.filter(provider=provider, document_type=document_type).exists():
                continue
            days = DOCUMENT_EXPIRIES.get((index, document_type), 365)
            expires = today + timedelta(days=days)
            if document_type not in EXPIRING_TYPES:
                expires = None
            title = f"{name}: {DocumentType(document_type).label}"
            document = Document(
                provider=provider,
                document_type=document_type,
                original_name=f"{_slug(title)}.pdf",
                content_type="application/pdf",
                issued_on=(expires or today) - timedelta(days=365),
                expires_on=expires,
            )
            data = f"%PDF-1.4\n% {title}\n%%EOF\n".encode()
            document.size = len(data)
            document.file.save(document.original_name, ContentFile(data), save=False)
            document.save()


# Enrolment part: the consortium's declaration questions, and each demo provider's applications
# in every state: (provider index, lot code, application status, flagged, enrolment status).
DECLARATIONS = [
    ("Has any setting had safeguarding enforcement action in the last 3 years?", True, "review"),
    ("Are you insolvent or in administration?", True, "block"),
    ("Do you agree to the DPS terms?", False, "block"),
]
DEMO_APPLICATIONS = [
    (0, "childrens-homes", "approved", False, "active"),
    (0, "parent-and-child", "more_info", False, None),
    (1, "childrens-homes", "draft", False, None),
    (2, "childrens-homes", "submitted", False, None),
    (3, "childrens-homes", "submitted", True, None),
    (4, "fostering", "approved", False, "active"),  # its DPS terms expired: the task suspends
    (5, "fostering", "rejected", False, None),
    (6, "fostering", "approved", False, "suspended"),
    (7, "supported-16-plus", "approved", False, "removed"),
    (8, "supported-16-plus", "approved", False, "active"),
    (9, "parent-and-child", "approved", False, "active"),
    (10, "send-schools", "approved", False, "active"),
    (11, "send-schools", "approved", True, "active"),
]
DEMO_PATHS = {
    "draft": [],
    "submitted": [("draft", "submitted", "")],
    "more_info": [
        ("draft", "submitted", ""),
        ("submitted", "more_info", "Please attach your latest Ofsted report for each home."),
    ],
    "approved": [("draft", "submitted", ""), ("submitted", "approved", "All requirements met.")],
    "rejected": [
        ("draft", "submitted", ""),
        ("submitted", "rejected", "No registered settings within the consortium's area."),
    ],
}
ENROLMENT_REASONS = {
    "active": "All requirements met.",
    "suspended": "Suspended while a safeguarding concern is investigated.",
    "removed": "Removed after repeated failures to meet the contract's standards.",
}


# Arrangement part: the demo consortium runs a dynamic market under the Procurement Act 2023,
# its conditions of membership set at the start and modified once.
ARRANGEMENT = {
    "basis": "dynamic_market",
    "title": "Children's placements dynamic market",
    "description": "Residential, fostering, supported accommodation and parent and child "
    "placements for children in the care of the consortium's councils.",
    "starts_on": date(2025, 4, 1),
    "ends_on": date(2029, 3, 31),
    "decision_days": 10,
}
CONDITIONS = [
    (
        date(2025, 4, 1),
        "Registered with Ofsted for the service offered; insured (public liability GBP 5m, "
        "employer's liability GBP 10m); a safeguarding policy reviewed in the last year.",
        "",
    ),
    (
        date(2025, 10, 1),
        "As version 1, and: every home's manager registered with Ofsted; no inspection judged "
        "inadequate in the last 12 months without an improvement plan agreed with the host "
        "council.",
        "Strengthened after the autumn review of quality; published as a modification.",
    ),
]


def arrangement_seed(*, consortium):
    """The demo consortium's arrangement and its two versions of the conditions (once)."""
    from datetime import datetime, time

    from .models import Arrangement, ConditionsVersion

    arrangement, _ = Arrangement.objects.get_or_create(consortium=consortium, defaults=ARRANGEMENT)
    for number, (day, text, reason) in enumerate(CONDITIONS, start=1):
        ConditionsVersion.objects.get_or_create(
            arrangement=arrangement,
            number=number,
            defaults={
                "text": text,
                "reason": reason,
                "in_force_from": timezone.make_aware(datetime.combine(day, time.min)),
            },
        )
    return arrangement


def enrolment_seed(*, consortium, now):
    """Declaration questions, provider profiles, and applications and enrolments in every
    state (once: a provider's application to a lot is left as it is on reseeding)."""
    from .models import (
        Application,
        ApplicationAnswer,
        ApplicationTransition,
        DeclarationQuestion,
        Enrolment,
        ProviderProfile,
    )

    questions = []
    for position, (text, failing, on_fail) in enumerate(DECLARATIONS):
        question, _ = DeclarationQuestion.objects.get_or_create(
            consortium=consortium,
            text=text,
            defaults={"failing_answer": failing, "on_fail": on_fail, "position": position},
        )
        questions.append(question)
    admin = consortium.memberships.filter(role=Role.CONSORTIUM_ADMIN).first()
    for index, (name, _) in enumerate(PROVIDERS):
        provider = Organisation.objects.get(slug=_slug(name))
        ProviderProfile.objects.get_or_create(
            organisation=provider,
            defaults={
                "legal_name": f"{name} Ltd",
                "companies_house_number": f"{10000000 + index * 7919:08d}",
                "address": f"{index + 1} High Street\n{AREAS[index % len(AREAS)]}",
                "postcode": AREA_POSTCODES[AREAS[index % len(AREAS)]][0],
                "contact_name": f"{name} Office",
                "contact_email": f"office@{_slug(name)}.example",
                "contact_phone": f"020 7946 {index:04d}",
            },
        )
    for index, code, status, flagged, enrolment_status in DEMO_APPLICATIONS:
        provider = Organisation.objects.get(slug=_slug(PROVIDERS[index][0]))
        lot = Lot.objects.get(consortium=consortium, code=code)
        if Application.objects.filter(provider=provider, lot=lot).exists():
            continue
        days_ago = 30 - index * 2
        provider_admin = provider.memberships.filter(role=Role.PROVIDER_ADMIN).first()
        application = Application.objects.create(
            provider=provider,
            lot=lot,
            status=status,
            flagged_for_review=flagged,
            supporting_statement=f"{PROVIDERS[index][0]} has cared for children for many years.",
            submitted_at=None if status == "draft" else now - timedelta(days=days_ago),
            conditions=None
            if status == "draft"
            else conditions_in_force(arrangement_of(consortium), now - timedelta(days=days_ago)),
            decided_at=now - timedelta(days=days_ago - 3)
            if status in ("approved", "rejected")
            else None,
        )
        application.documents.set(
            Document.objects.filter(provider=provider, superseded_by__isnull=True)[:3]
        )
        for question in questions:
            fails = flagged and question.on_fail == "review"
            ApplicationAnswer.objects.create(
                application=application,
                question=question,
                answer=question.failing_answer if fails else not question.failing_answer,
                detail="A compliance notice in 2024, since lifted." if fails else "",
            )
        for from_status, to_status, reason in DEMO_PATHS[status]:
            who = provider_admin if to_status == "submitted" else admin
            ApplicationTransition.objects.create(
                application=application,
                from_status=from_status,
                to_status=to_status,
                actor=who.user if who else None,
                reason=reason,
            )
        if enrolment_status:
            Enrolment.objects.get_or_create(
                provider=provider,
                lot=lot,
                defaults={
                    "application": application,
                    "status": enrolment_status,
                    "suspension_cause": "decision" if enrolment_status == "suspended" else "",
                    "status_reason": ENROLMENT_REASONS[enrolment_status],
                },
            )


def logins():
    rows = []
    for name, _ in PROVIDERS[:2]:
        slug = _slug(name)
        rows.append((f"Provider admin ({name})", f"admin@{slug}.example"))
        rows.append((f"Bidder ({name})", f"bidder@{slug}.example"))
    return rows
