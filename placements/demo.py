"""Demo placement requests in every state, with bids, made through the services.

Runs after the providers' demo (INSTALLED_APPS order): each demo lot gets the service types that
serve it, then Northbridge and Eastmoor's placement officers write requests that the enrolled
providers' bidders bid on. A request whose deadline has passed is closed by moving its deadline
to the moment after its bids and closing it then, as the periodic task would.

Each request is made once, in its own transaction, and recognised by its borough and reference:
seeding again changes nothing."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dps.demo import CONSORTIUM, demo_user
from dps.models import Membership, Organisation, Role
from dps.tenancy import Actor
from geography.selectors import locate_district
from providers.demo import PROVIDERS, _slug
from providers.models import Lot, Service
from providers.needs import DOMAINS, INDICATOR_CODES

from .models import Bid, PlacementRequest, ProviderInvitation
from .services import award as award_services
from .services import bids as bid_services
from .services import closing
from .services import requests as request_services
from .services.lots import lot_update
from .services.transitions import SHORTLIST_SIZE

Status = PlacementRequest.Status
# Where each demo borough's children live: postcode districts of its real area (dps/demo.py),
# for a request records the district of the child's home, never the full postcode.
HOME_DISTRICTS = {
    "northbridge": ["N19", "N7", "N5", "N1"],
    "eastmoor": ["E12", "E13", "E15", "E6"],
    "westvale": ["W12", "SW6", "W6", "W14"],
}

LOT_SERVICE_TYPES = {
    "childrens-homes": [Service.Type.CHILDRENS_HOME],
    "fostering": [Service.Type.FOSTERING],
    "supported-16-plus": [Service.Type.SUPPORTED_ACCOMMODATION],
    "parent-and-child": [Service.Type.PARENT_AND_CHILD],
    "send-schools": [Service.Type.SCHOOL],
}


@dataclass(frozen=True)
class Offer:
    provider: str
    core_fee: str
    extra_hours: int = 0
    extra_cost: str = "0"
    # Needs it does not say it meets (so needs fit differs between bids).
    leaves_out: tuple = ()
    discount: str = ""


@dataclass(frozen=True)
class DemoRequest:
    borough: str
    reference: str
    lot: str
    state: str
    age: int
    gender: str
    # What the child needs, before it is fitted to the bidders' services (0-3 per need).
    wish: dict
    offers: tuple = ()
    urgency: str = "planned"
    weeks: int = 52
    outcomes: dict = field(default_factory=dict)
    views: dict = field(default_factory=dict)  # provider -> the young person's view
    award_to: str = ""  # the provider awarded (the top-ranked if none)
    reason: str = ""


HOMES = "Harbour House Care"
MEADOWBANK = "Meadowbank School"
LIGHTHOUSE = "Lighthouse Learning Trust"
FAMILY_FIRST = "Family First Fostering"
CRADLE = "Cradle Parent and Child"

SCHOOL_WISH = {
    "education_progress": 3,
    "self_care": 2,
    "setting_goals": 2,
    "wishes_feelings": 2,
    "safe_decisions": 1,
    "physical_health": 1,
    "identity": 1,
}
HOME_WISH = {
    "emotional_health": 2,
    "education_progress": 2,
    "self_care": 2,
    "relationships": 1,
    "wishes_feelings": 1,
    "setting_goals": 1,
}
OUTCOMES = {
    "be_ambitious": "Back in full-time education within six weeks, with an EHCP review by "
    "the end of term.",
    "be_happy": "Keeps in touch with their brother every week and starts life-story work.",
    "be_healthy": "Registered with a GP and dentist, and seen by CAMHS within a month.",
}
SCHOOL_OFFERS = (
    Offer(MEADOWBANK, "3650", 6, "270", discount="5% off the fee of a second pupil."),
    Offer(LIGHTHOUSE, "3400", leaves_out=("self_care",)),
)

DEMO_REQUESTS = [
    # Northbridge: one request in every state.
    DemoRequest("northbridge", "NB-24101", "childrens-homes", "draft", 15, "male", HOME_WISH),
    DemoRequest(
        "northbridge",
        "NB-24102",
        "send-schools",
        "open",
        12,
        "male",
        SCHOOL_WISH,
        SCHOOL_OFFERS,
        outcomes=OUTCOMES,
    ),
    DemoRequest(
        "northbridge",
        "NB-24103",
        "childrens-homes",
        "open",
        14,
        "female",
        HOME_WISH,
        (Offer(HOMES, "5450", 10, "320"),),
        urgency="emergency",
        weeks=26,
        outcomes=OUTCOMES,
    ),
    DemoRequest(
        "northbridge",
        "NB-24104",
        "send-schools",
        "closed",
        10,
        "female",
        SCHOOL_WISH,
        SCHOOL_OFFERS,
        outcomes=OUTCOMES,
    ),
    DemoRequest(
        "northbridge",
        "NB-24105",
        "send-schools",
        "shortlisted",
        13,
        "male",
        SCHOOL_WISH,
        SCHOOL_OFFERS,
        outcomes=OUTCOMES,
        views={
            MEADOWBANK: "Liked the photos of the farm and the small classes; worried about "
            "boarding four nights a week.",
            LIGHTHOUSE: "Wants to go here: a friend from primary school is a pupil.",
        },
    ),
    DemoRequest(
        "northbridge",
        "NB-24106",
        "send-schools",
        "awarded",
        11,
        "female",
        SCHOOL_WISH,
        SCHOOL_OFFERS,
        outcomes=OUTCOMES,
        views={
            MEADOWBANK: "Felt safe on the visit and liked the riding lessons.",
            LIGHTHOUSE: "Found it too big and noisy.",
        },
        award_to=MEADOWBANK,
        reason="The young person felt safe at Meadowbank on the visit and wants to go there; "
        "the other school felt too big to her.",
    ),
    DemoRequest(
        "northbridge",
        "NB-24107",
        "childrens-homes",
        "placed",
        15,
        "female",
        HOME_WISH,
        (Offer(HOMES, "5200", discount="Respite weekends at no extra cost."),),
        outcomes=OUTCOMES,
        views={HOMES: "Liked that she would have her own room and could keep her dog's photo."},
    ),
    DemoRequest(
        "northbridge",
        "NB-24108",
        "childrens-homes",
        "cancelled",
        9,
        "male",
        HOME_WISH,
        (Offer(HOMES, "4950"),),
        outcomes=OUTCOMES,
    ),
    DemoRequest(
        "northbridge",
        "NB-24109",
        "send-schools",
        "no_suitable_offer",
        15,
        "male",
        SCHOOL_WISH,
        (Offer(MEADOWBANK, "4200"), Offer(LIGHTHOUSE, "4400")),
        outcomes=OUTCOMES,
        reason="Neither school can offer the speech and language therapy his EHCP names. "
        "We will ask again with the therapy written into the request.",
    ),
    # Eastmoor: a few more, on other lots.
    DemoRequest("eastmoor", "EM-3101", "fostering", "draft", 6, "female", {"physical_health": 1}),
    DemoRequest(
        "eastmoor",
        "EM-3102",
        "fostering",
        "open",
        8,
        "male",
        {"identity": 2, "wishes_feelings": 1, "relationships": 1},
        (Offer(FAMILY_FIRST, "925", discount="Siblings placed together at 10% off."),),
        outcomes={"be_happy": "Settles with a family who help him keep his heritage."},
    ),
    DemoRequest(
        "eastmoor",
        "EM-3103",
        "parent-and-child",
        "shortlisted",
        17,
        "female",
        {"emotional_health": 2, "setting_goals": 2, "education_progress": 1},
        (Offer(CRADLE, "3100", 7, "210"),),
        weeks=12,
        outcomes={"be_safe": "A parenting assessment completed within 12 weeks."},
        views={CRADLE: "Happy to go if she can finish her college course."},
    ),
    DemoRequest(
        "eastmoor",
        "EM-3104",
        "supported-16-plus",
        "no_suitable_offer",
        17,
        "male",
        {"self_care": 2, "setting_goals": 1},
        outcomes={"be_independent": "Ready to hold his own tenancy by his 18th birthday."},
    ),
]

STRENGTHS = (
    "Funny and curious; loves football and drawing, and is kind to younger children. "
    "Good at maths when the lesson is practical."
)
STORY = (
    "Came into care last year after a family breakdown. The current placement is ending because "
    "the carers are retiring. Has had two moves in the last 12 months and needs stability."
)
CHILD_VIEWS = "Wants to stay in touch with their brother and keep going to the football club."
NEED_DETAILS = {
    "physical_health": "Asthma, managed with inhalers; misses check-ups when unsettled.",
    "emotional_health": "Anxious at night and after contact; waiting for a CAMHS assessment.",
    "relationships": "Has been approached by older young people in the town centre.",
    "safe_decisions": "Has experimented with cannabis; open to talking about it.",
    "learning_disability": "Mild learning difficulty; reads about two years behind.",
    "education_progress": "Missed most of the last term after two moves of school.",
    "emotions_boundaries": "Can lash out when rules change without warning.",
    "community_activities": "Used to play for a football club and would like to again.",
    "self_care": "Needs prompting with personal care and keeping a routine.",
    "setting_goals": "Finds it hard to plan ahead; responds well to small steps.",
    "wishes_feelings": "Has said they feel nobody listens; has an advocate.",
    "identity": "Wants to know more about their father's family and heritage.",
}
HOW = {
    "physical_health": "Registered with our local GP practice and dentist within the first week.",
    "emotional_health": "Weekly sessions with our in-house therapist, and CAMHS liaison.",
    "relationships": "Key worker trained in exploitation risks; daily check-ins.",
    "safe_decisions": "Structured sessions with our substance misuse worker.",
    "learning_disability": "SENCo-led support plan reviewed every half term.",
    "education_progress": "Our teacher works with the virtual school on a personal plan.",
    "emotions_boundaries": "Therapeutic parenting approach across the whole staff team.",
    "community_activities": "Weekly clubs of the young person's choice, with transport.",
    "self_care": "Independence programme with a weekly review of skills.",
    "setting_goals": "Monthly goals set with the young person and reviewed together.",
    "wishes_feelings": "Independent advocate and a weekly one-to-one with the key worker.",
    "identity": "Life-story work with a trained worker; links to the young person's community.",
}


def seed(stdout):
    consortium = Organisation.objects.get(slug=CONSORTIUM[0])
    typed = lots_service_types_seed(consortium)
    if typed:
        stdout.write(f"  service types of {typed} lots")
    made = 0
    for demo in DEMO_REQUESTS:
        made += request_seed(consortium, demo)
    stdout.write(
        f"  {made} placement requests in every state, with bids"
        if made
        else "  placement requests already seeded"
    )


def logins():
    """The bidders this demo adds (the providers' demo lists the first two providers')."""
    listed = {name for name, _ in PROVIDERS[:2]}
    bidders = sorted(
        {o.provider for d in DEMO_REQUESTS for o in d.offers if o.provider not in listed}
    )
    return [(f"Bidder ({name})", f"bidder@{_slug(name)}.example") for name in bidders]


def _actor(user, organisation):
    return Actor.for_membership(
        Membership.objects.select_related("organisation", "user").get(
            user=user, organisation=organisation
        )
    )


@transaction.atomic
def lots_service_types_seed(consortium):
    """Give each demo lot the service types that serve it, if it has none yet. Returns how
    many lots were set."""
    admin = Membership.objects.filter(
        organisation=consortium, role=Role.CONSORTIUM_ADMIN, is_active=True
    ).first()
    actor = Actor.for_membership(admin) if admin else None
    count = 0
    for code, types in LOT_SERVICE_TYPES.items():
        lot = Lot.objects.filter(consortium=consortium, code=code).first()
        if lot is None or lot.service_types:
            continue
        if actor is not None:
            lot_update(actor=actor, lot=lot, service_types=list(types))
        else:
            Lot.objects.filter(pk=lot.pk).update(service_types=list(types))
        count += 1
    return count


def _services_of(provider, lot, age):
    return [
        s
        for s in Service.objects.filter(
            provider=provider, is_active=True, service_type__in=lot.service_types or []
        ).order_by("name")
        if s.age_min <= age <= s.age_max
    ]


def _fitted(demo, lot, providers):
    """The request's needs: what the child needs (its `wish`), lowered to what one service of
    each bidder can meet, so every bidder is invited. Returns (needs, services by provider)."""
    chosen = {}
    for provider in providers:
        services = _services_of(provider, lot, demo.age)
        if services:
            chosen[provider.pk] = max(
                services,
                key=lambda s: sum(
                    min(score, (s.needs_met or {}).get(code, 0))
                    for code, score in demo.wish.items()
                ),
            )
    needs = dict.fromkeys(INDICATOR_CODES, 0)
    for code, score in demo.wish.items():
        needs[code] = min([score, *((s.needs_met or {}).get(code, 0) for s in chosen.values())])
    return needs, chosen


def _fields(demo, lot, needs, chosen):
    today = timezone.localdate()
    placed = demo.state == Status.PLACED
    return {
        "lot": lot,
        "reference": demo.reference,
        "strengths": STRENGTHS,
        "age": demo.age,
        "gender": demo.gender,
        "ethnicity": "White and Black Caribbean",
        "language": "English",
        "religion": "None",
        "legal_status": "s31" if demo.age < 16 else "s20",
        "urgency": demo.urgency,
        # A placement that has started was needed from today; the others in two weeks.
        "date_needed": today if placed else today + timedelta(days=14),
        "duration_weeks": demo.weeks,
        "areas": [],
        # No maximum distance: it needs the child's home located in the ONS Postcode
        # Directory, which the demo does not load.
        "max_distance_miles": None,
        "allow_no_vacancy": any(s.vacancies < 1 for s in chosen.values()),
        "needs": needs,
        "need_details": {code: NEED_DETAILS[code] for code, score in needs.items() if score},
        "outcomes": demo.outcomes or {DOMAINS[0][0]: "Settles and is healthy and happy."},
        "education_needs": "Has an EHCP; needs a small class and a key adult in school.",
        "contact_arrangements": "Supervised contact with mother monthly; brother weekly.",
        "child_views": CHILD_VIEWS,
        "story": STORY,
        "max_weekly_budget": Decimal("6000") if lot.code == "childrens-homes" else None,
    }


def _bid(placement_request, offer, provider, needs, start_date, service):
    bidder = demo_user(
        f"bidder@{_slug(provider.name)}.example",
        provider,
        Role.BIDDER,
        full_name=f"{provider.name} Bidder",
    )
    invitation = ProviderInvitation.objects.filter(
        request=placement_request, provider=provider
    ).first()
    if invitation is None:  # not eligible now (e.g. its enrolment was suspended since)
        return None
    offered = invitation.services.order_by("name")
    if service is None or not offered.filter(pk=service.pk).exists():
        service = offered.first()
    return bid_services.bid_save(
        actor=_actor(bidder, provider),
        invitation=invitation,
        service=service,
        core_weekly_fee=Decimal(offer.core_fee),
        extra_staffing_hours=offer.extra_hours,
        extra_staffing_cost=Decimal(offer.extra_cost),
        start_date=start_date,
        needs_met={
            code: HOW[code]
            for code, score in needs.items()
            if score and code not in offer.leaves_out
        },
        volume_discount=offer.discount,
    )


def _home_district(demo):
    districts = HOME_DISTRICTS.get(demo.borough, [""])
    return districts[int("".join(filter(str.isdigit, demo.reference)) or 0) % len(districts)]


def _locate_home(placement_request, district):
    """The child's home district and its centre (when the directory is loaded)."""
    if placement_request.home_district == district and placement_request.home_easting:
        return
    place = locate_district(district)
    placement_request.home_location = PlacementRequest.HomeLocation.DISTRICT
    placement_request.home_district = district
    placement_request.home_easting, placement_request.home_northing = place.easting, place.northing
    PlacementRequest.objects.filter(pk=placement_request.pk).update(
        home_location=placement_request.home_location,
        home_district=district,
        home_easting=place.easting,
        home_northing=place.northing,
    )


def _close(placement_request):
    """The deadline passes just after the bids, and the request closes then."""
    now = timezone.now()
    PlacementRequest.objects.filter(pk=placement_request.pk, status=Status.OPEN).update(
        bid_deadline=now
    )
    closing.request_close(placement_request.pk, now=now)
    placement_request.refresh_from_db()


@transaction.atomic
def request_seed(consortium, demo):
    """Make one demo request and take it to its state. Returns 1 if made, 0 if it exists."""
    borough = Organisation.objects.filter(slug=demo.borough, consortium=consortium).first()
    lot = Lot.objects.filter(consortium=consortium, code=demo.lot).first()
    if borough is None or lot is None:
        return 0
    if PlacementRequest.objects.filter(borough=borough, reference=demo.reference).exists():
        return 0
    officer_user = demo_user(
        f"officer@{demo.borough}.example",
        borough,
        Role.PLACEMENT_OFFICER,
        full_name=f"{demo.borough.title()} Placement Officer",
    )
    officer = _actor(officer_user, borough)
    providers = {
        o.provider: Organisation.objects.filter(slug=_slug(o.provider)).first() for o in demo.offers
    }
    needs, chosen = _fitted(demo, lot, [p for p in providers.values() if p])
    fields = _fields(demo, lot, needs, chosen)
    if demo.state == Status.DRAFT:
        # A draft still being written: the story and most of the needs are still to come.
        fields = {k: v for k, v in fields.items() if k not in {"story", "need_details"}}
        fields["needs"] = {code: score for code, score in needs.items() if score}
    district = _home_district(demo)
    if "home_district" in request_services.REQUEST_FIELDS:
        fields["home_district"] = district
    placement_request = request_services.request_create(actor=officer, **fields)
    _locate_home(placement_request, district)
    if demo.state == Status.DRAFT:
        return 1
    # A request with no offer in the story is one no provider could take: published knowingly.
    request_services.request_publish(
        actor=officer, placement_request=placement_request, confirm_no_eligible=not demo.offers
    )
    for offer in demo.offers:
        if providers[offer.provider] is not None:
            provider = providers[offer.provider]
            _bid(
                placement_request,
                offer,
                provider,
                needs,
                fields["date_needed"],
                chosen.get(provider.pk),
            )
    if demo.state == Status.OPEN:
        return 1
    if demo.state == Status.CANCELLED:
        request_services.request_cancel(
            actor=officer,
            placement_request=placement_request,
            reason=PlacementRequest.CancelReason.PLACED_IN_HOUSE,
            detail="A place came up with one of our own foster carers.",
        )
        return 1
    _close(placement_request)
    if placement_request.status != Status.CLOSED or demo.state == Status.CLOSED:
        return 1  # closed, or no valid bid: no suitable offer already
    if demo.state == Status.NO_SUITABLE_OFFER:
        request_services.request_no_suitable_offer(
            actor=officer, placement_request=placement_request, reason=demo.reason
        )
        return 1
    request_services.request_shortlist_confirm(actor=officer, placement_request=placement_request)
    ranked = Bid.objects.filter(
        request=placement_request, status=Bid.Status.SUBMITTED, rank__isnull=False
    ).select_related("provider")
    for bid in ranked:
        view = demo.views.get(bid.provider.name)
        if view and bid.rank <= SHORTLIST_SIZE:
            award_services.young_person_view_record(actor=officer, bid=bid, view=view)
    if demo.state == Status.SHORTLISTED:
        return 1
    chosen_bid = ranked.filter(provider__name=demo.award_to).first() or ranked.first()
    placement = award_services.award(
        actor=officer,
        placement_request=placement_request,
        bid=chosen_bid,
        reason=demo.reason if chosen_bid.rank != 1 else "",
        # The demo's officer considered the applications pending on the lot (s.34(4)).
        pending_applications_considered=True,
    )
    award_services.ipa_ensure(placement)
    if demo.state == Status.PLACED:
        award_services.placement_start(
            actor=officer, placement=placement, actual_start_date=timezone.localdate()
        )
    return 1
