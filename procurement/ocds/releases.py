"""Each published notice, and each award made through the DPS without one, as an OCDS 1.1 release.

Two kinds of contracting process, each with its Open Contracting ID (ocid):
- the arrangement (the dynamic market, legacy DPS or open framework): `<prefix>-dps-<consortium>`,
  whose releases are its notices (UK13-UK16, the UK4 of an opening);
- each call-off: `<prefix>-request-<request>` for a competition, `<prefix>-placement-<placement>`
  for an award made without one; linked to the arrangement's process by relatedProcesses.

A release reads the arrangement, the lot, the service, the borough, the provider and the money;
never the child, the request's text, nor the reasons an officer wrote (they may name the child).
"""

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from placements.models import Placement
from providers.models import Arrangement

from ..models import Notice
from ..selectors.valuation import placement_valuation

K = Notice.Kind

# The release tags of each notice (the releaseTag codelist of OCDS 1.1).
TAGS = {
    K.UK13: ["planning"],
    K.UK14: ["tender"],
    K.UK4: ["tender"],
    K.UK15: ["tenderAmendment"],
    K.UK16: ["tenderUpdate"],
    K.UK12: ["tenderCancellation"],
    K.UK6: ["award"],
    K.UK7: ["contract"],
    K.UK10: ["contractAmendment"],
    K.UK11: ["contractTermination"],
}
# An award made without a notice (below the threshold, or a user-choice direct award).
AWARD_TAGS = ["award", "contract"]

# The OCDS documentType of each notice (the core codelist, with the United Kingdom extension's
# additions); the notice's own type is the extension's noticeType.
DOCUMENT_TYPES = {
    K.UK13: "plannedProcurementNotice",
    K.UK14: "tenderNotice",
    K.UK4: "tenderNotice",
    K.UK15: "tenderNotice",
    K.UK16: "tenderNotice",
    K.UK12: "tenderCancellationNotice",
    K.UK6: "awardNotice",
    K.UK7: "contractNotice",
    K.UK10: "contractNotice",
    K.UK11: "contractTerminationNotice",
}
ARRANGEMENT_TENDER_STATUS = {K.UK13: "planned", K.UK16: "complete", K.UK12: "cancelled"}
CONTRACT_KINDS = {K.UK7, K.UK10, K.UK11}

# Children's placements are light-touch services (Procurement Act 2023 s.9). The United Kingdom
# extension leaves tender.specialRegime's codes open; "lightTouch" is our choice of code.
LIGHT_TOUCH = "lightTouch"
# CPV 85311300: welfare services for children and young people.
ITEM_CLASSIFICATION = {
    "scheme": "CPV",
    "id": "85311300",
    "description": "Welfare services for children and young people",
}
FTS_NOTICE_URL = "https://www.find-tender.service.gov.uk/Notice/{}"


def ocid_prefix():
    return settings.OCDS_OCID_PREFIX


def arrangement_ocid(consortium_id):
    return f"{ocid_prefix()}-dps-{consortium_id}"


def request_ocid(request_id):
    return f"{ocid_prefix()}-request-{request_id}"


def placement_ocid(placement):
    if placement.request_id:
        return request_ocid(placement.request_id)
    return f"{ocid_prefix()}-placement-{placement.pk}"


def parse_ocid(ocid):
    """The process an ocid names, as ("dps" | "request" | "placement", id), or None."""
    prefix = f"{ocid_prefix()}-"
    if not ocid.startswith(prefix):
        return None
    kind, _, number = ocid[len(prefix) :].partition("-")
    # Ids are database integers: a longer number names nothing (and would overflow a query).
    if kind not in ("dps", "request", "placement") or not number.isdigit() or len(number) > 18:
        return None
    return kind, int(number)


def stamp(moment):
    """An OCDS date-time: a datetime in UTC, or a date at its start."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(moment, date):
        return f"{moment.isoformat()}T00:00:00Z"
    raise TypeError(moment)


def pounds(amount):
    return float(Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def arrangement_of(consortium):
    try:
        return consortium.arrangement
    except Arrangement.DoesNotExist:
        return None


# --- Parties ---------------------------------------------------------------------------------


def party(organisation, roles):
    return {"id": f"org-{organisation.pk}", "name": organisation.name, "roles": roles}


def supplier_party(provider):
    """The provider, identified by its Companies House number when it gave one."""
    profile = getattr(provider, "provider_profile", None)
    number = profile.companies_house_number if profile else ""
    result = {"id": f"org-{provider.pk}", "name": provider.name, "roles": ["supplier"]}
    if number:
        result["id"] = f"GB-COH-{number}"
        result["identifier"] = {"scheme": "GB-COH", "id": number, "legalName": profile.legal_name}
    return result


def reference(party_):
    return {"id": party_["id"], "name": party_["name"]}


def notice_document(notice):
    document = {
        "id": f"notice-{notice.pk}",
        "documentType": DOCUMENT_TYPES[notice.kind],
        "noticeType": notice.kind,
        "title": notice.get_kind_display(),
        "datePublished": stamp(notice.published_at),
        "language": "en",
    }
    if notice.fts_notice_id:
        document["url"] = FTS_NOTICE_URL.format(notice.fts_notice_id)
    return document


# --- The arrangement's process ---------------------------------------------------------------


def techniques(arrangement):
    """The techniques extension: a dynamic market or legacy DPS is a dynamic purchasing system;
    an open framework a framework agreement, flagged as an open framework scheme."""
    if arrangement is None:
        return None
    if arrangement.basis == Arrangement.Basis.OPEN_FRAMEWORK:
        return {
            "hasFrameworkAgreement": True,
            "frameworkAgreement": {
                "isOpenFrameworkScheme": True,
                "openFrameworkSchemeEndDate": stamp(arrangement.ends_on),
                # Call-offs are awarded by competition, or directly where the child chooses.
                "method": "withAndWithoutReopeningCompetition",
                "period": {
                    "startDate": stamp(arrangement.starts_on),
                    "endDate": stamp(arrangement.ends_on),
                },
            },
        }
    return {"hasDynamicPurchasingSystem": True}


def arrangement_tender(consortium, arrangement):
    title = arrangement.title if arrangement else consortium.name
    tender = {
        "id": f"dps-{consortium.pk}",
        "title": title,
        "description": (arrangement.description if arrangement else "") or title,
        "status": "active",
        "procurementMethod": "open",
        "mainProcurementCategory": "services",
        "items": [{"id": "1", "description": title, "classification": ITEM_CLASSIFICATION}],
        "specialRegime": [LIGHT_TOUCH],
    }
    if arrangement is not None:
        tender["techniques"] = techniques(arrangement)
        tender["contractPeriod"] = {
            "startDate": stamp(arrangement.starts_on),
            "endDate": stamp(arrangement.ends_on),
        }
    return tender


def arrangement_release(notice):
    consortium = notice.consortium
    arrangement = arrangement_of(consortium)
    tender = arrangement_tender(consortium, arrangement)
    tender["status"] = ARRANGEMENT_TENDER_STATUS.get(notice.kind, "active")
    release = base_release(
        arrangement_ocid(consortium.pk), notice, [party(consortium, ["buyer", "procuringEntity"])]
    )
    document = notice_document(notice)
    if notice.kind == K.UK13:
        release["planning"] = {"documents": [document]}
    else:
        tender["documents"] = [document]
    if notice.opening is not None:
        opening = notice.opening
        tender["tenderPeriod"] = {
            "startDate": stamp(opening.opens_on),
            "endDate": stamp(opening.closes_on),
        }
        tender["awardPeriod"] = {"startDate": stamp(opening.awards_on)}
    if notice.conditions is not None:
        conditions = notice.conditions
        tender["amendments"] = [
            {
                "id": f"conditions-{conditions.number}",
                "date": stamp(conditions.in_force_from),
                "description": f"Conditions of membership, version {conditions.number}",
                "rationale": conditions.reason,
            }
        ]
    release["tender"] = tender
    return release


# --- A call-off's process --------------------------------------------------------------------


def base_release(ocid, notice, parties):
    return {
        "ocid": ocid,
        "id": notice.fts_notice_id or f"notice-{notice.pk}",
        "date": stamp(notice.published_at or notice.created_at),
        "tag": TAGS[notice.kind],
        "initiationType": "tender",
        "language": "en",
        "parties": parties,
        "buyer": reference(parties[0]),
    }


def related_arrangement(consortium):
    arrangement = arrangement_of(consortium)
    return [
        {
            "id": "arrangement",
            "relationship": ["framework"],
            "title": arrangement.title if arrangement else consortium.name,
            "scheme": "ocid",
            "identifier": arrangement_ocid(consortium.pk),
        }
    ]


def call_off_tender(tender_id, borough, lot, *, competitive):
    lot_name = lot.name if lot else "a placement"
    return {
        "id": tender_id,
        "title": f"{lot_name}: a placement for a child in care",
        "description": (
            f"A placement bought by {borough.name} for a child in its care, through the lot "
            f"{lot_name}."
        ),
        "status": "complete",
        "procurementMethod": "selective" if competitive else "limited",
        "procurementMethodDetails": (
            "Competition among the members of the arrangement on the lot"
            if competitive
            else "Direct award"
        ),
        "mainProcurementCategory": "services",
        "specialRegime": [LIGHT_TOUCH],
        # The techniques extension: a call-off by competition, or a direct one.
        "competitive": competitive,
    }


def placement_value(placement, arrangement):
    """The estimated value, net and with VAT, and whether it is above the threshold: as the
    notices value it (procurement.selectors.valuation)."""
    worth = placement_valuation(placement, arrangement)
    value = {"amount": pounds(worth.net), "currency": "GBP", "amountGross": pounds(worth.gross)}
    return value, worth.above_threshold


CONTRACT_STATUS = {
    Placement.Status.AWARDED: "pending",
    Placement.Status.STARTED: "active",
    Placement.Status.ENDED: "terminated",
}


def placement_release(placement, notice=None):
    """A placement's award (and contract), for its notice, or for itself without one."""
    borough = placement.borough
    consortium = borough.consortium
    arrangement = arrangement_of(consortium)
    buyer = party(borough, ["buyer", "procuringEntity"])
    supplier = supplier_party(placement.provider)
    parties = [buyer, supplier]
    if notice is not None:
        release = base_release(placement_ocid(placement), notice, parties)
    else:
        release = {
            "ocid": placement_ocid(placement),
            "id": f"award-{placement.pk}",
            "date": stamp(placement.awarded_at),
            "tag": AWARD_TAGS,
            "initiationType": "tender",
            "language": "en",
            "parties": parties,
            "buyer": reference(buyer),
        }
    value, above = placement_value(placement, arrangement)
    tender_id = (
        f"request-{placement.request_id}" if placement.request_id else f"placement-{placement.pk}"
    )
    tender = call_off_tender(
        tender_id, borough, placement.lot, competitive=placement.request_id is not None
    )
    tender["aboveThreshold"] = above
    release["tender"] = tender
    item = {"id": "1", "classification": ITEM_CLASSIFICATION, "quantity": 1}
    item["description"] = (
        f"{placement.service.get_service_type_display()}: {placement.service.name}"
        if placement.service
        else "A placement for a child in care"
    )
    period = {"startDate": stamp(placement.start_date)}
    if placement.planned_end_date:
        period["endDate"] = stamp(placement.planned_end_date)
    award = {
        "id": f"award-{placement.pk}",
        "title": tender["title"],
        "status": "active",
        "date": stamp(placement.awarded_at),
        "value": value,
        "suppliers": [reference(supplier)],
        "items": [item],
        "contractPeriod": period,
        "aboveThreshold": above,
    }
    release["awards"] = [award]
    kind = notice.kind if notice is not None else None
    if kind == K.UK6:
        award["documents"] = [notice_document(notice)]
    if kind is None or kind in CONTRACT_KINDS:
        contract = {
            "id": f"contract-{placement.pk}",
            "awardID": award["id"],
            "title": tender["title"],
            "status": CONTRACT_STATUS.get(placement.status, "active"),
            "value": value,
            "period": dict(period),
            "items": [item],
            "aboveThreshold": above,
        }
        if kind is not None:
            contract["documents"] = [notice_document(notice)]
        if kind == K.UK10:
            contract["amendments"] = [
                {
                    "id": f"notice-{notice.pk}",
                    "date": stamp(notice.published_at),
                    "description": "The contract was changed.",
                }
            ]
        if kind == K.UK11:
            contract["status"] = "terminated"
        if placement.end_date and contract["status"] == "terminated":
            contract["period"]["endDate"] = stamp(placement.end_date)
        release["contracts"] = [contract]
    release["relatedProcesses"] = related_arrangement(consortium)
    return release


def request_release(request, notice):
    """A call-off competition's own notice (its tender or its termination), before an award."""
    borough = request.borough
    buyer = party(borough, ["buyer", "procuringEntity"])
    release = base_release(request_ocid(request.pk), notice, [buyer])
    tender = call_off_tender(f"request-{request.pk}", borough, request.lot, competitive=True)
    tender["status"] = "cancelled" if notice.kind == K.UK12 else "active"
    tender["documents"] = [notice_document(notice)]
    if request.bid_deadline:
        tender["tenderPeriod"] = {"endDate": stamp(request.bid_deadline)}
    release["tender"] = tender
    release["relatedProcesses"] = related_arrangement(borough.consortium)
    return release


def notice_release(notice):
    if notice.placement is not None:
        return placement_release(notice.placement, notice)
    if notice.request is not None:
        return request_release(notice.request, notice)
    return arrangement_release(notice)
