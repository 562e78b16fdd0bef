"""The national data set, made from one seed: the same seed gives the same rows.

Organisations, lots, providers and their services, enrolments, users, documents and quality
scores come first; then day by day over the years, each borough's requests with their
invitations, bids, evaluation and transitions, the placements awarded from them (and some made
outside the DPS), with their reviews, fee changes and endings; last the monitoring visits.
Requests of the last days are still open, closed, shortlisted or awarded, as on a live system."""

import math
import random
import time
from collections import deque
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

from dps.demo import DEMO_PASSWORD
from dps.models import Membership, Organisation, Role, User
from finance.models import BillingSettings, Invoice, InvoiceLine, Remittance
from finance.selectors.billing import periods_between
from geography.distance import miles_between
from monitoring.models import MonitoringVisit, PlacementReview
from placements.models import (
    Bid,
    Child,
    Evaluation,
    Fee,
    Placement,
    PlacementRequest,
    ProviderInvitation,
    RequestTransition,
)
from placements.selectors.schedule import Rate, Schedule
from providers.models import (
    MANDATORY_TYPES,
    Application,
    Document,
    Enrolment,
    Lot,
    ProviderProfile,
    QualityScore,
    QualityWeights,
    Service,
)
from providers.models.documents import EXPIRING_TYPES
from providers.needs import DOMAINS, INDICATOR_CODES

from .bulk import deferred_constraints
from .districts import by_council
from .loader import Loader
from .profile import LOTS, NAME_ENDS, NAME_STARTS, RATING_QUALITY, RATINGS, REGIONS, SERVICE_AGES

Status = PlacementRequest.Status
# Parents before children: the order the loader writes its tables in.
MODELS = [
    Organisation, User, EmailAddress, Membership, ProviderProfile, Lot, Service, Application,
    Enrolment, Document, QualityWeights, QualityScore, Child, PlacementRequest, RequestTransition,
    ProviderInvitation, ProviderInvitation.services.through, Bid, Evaluation, Placement,
    Fee, PlacementReview, MonitoringVisit, Invoice, InvoiceLine, Remittance,
]  # fmt: skip
WEIGHTS = {"quality": 60, "price": 30, "needs_fit": 10}
QUALITY_WEIGHTS = {"inspection": 40, "outcomes": 30, "compliance": 20, "responsiveness": 10}
UNPLANNED_MOVE = ["CREQB", "CREQO", "CHILD", "LAREQ", "ALLEG", "STAND", "CLOSE"]
PLANNED_LEAVING = ["E4A", "E13", "E5", "E17", "E45"]
ETHNICITIES = ["WBRI", "WOTH", "MWBC", "MOTH", "AIND", "APKN", "BCRB", "BAFR", "OOTH", "REFU"]
REVIEW_EVERY = 91  # days between placement reviews, after the first at 28 days
# Where each region's councils are taken from: its rough centre (OS National Grid, metres).
# London's two consortia take London boroughs only (E09), the others none.
REGION_CENTRES = {
    "London North": (531000, 190000),
    "London South": (531000, 170000),
    "South East": (500000, 145000),
    "South West": (300000, 110000),
    "East of England": (580000, 250000),
    "East Midlands": (475000, 325000),
    "West Midlands": (385000, 280000),
    "Yorkshire and the Humber": (440000, 440000),
    "North West": (355000, 455000),
    "North East": (420000, 560000),
}
HOME_NOT_SHARED = 0.08  # requests whose home is not shared: the borough's own area is used
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters an inward code uses


def councils_of_regions(regions):
    """The councils of each region, [(region, count)] -> [[council code]]: each region takes
    the councils nearest its centre, up to its count, nearest first overall."""
    councils = {code: ds[0] for code, ds in by_council().items()}
    pairs = sorted(
        (
            math.dist(REGION_CENTRES[name], (d.council_easting, d.council_northing)),
            code,
            index,
        )
        for index, (name, _) in enumerate(regions)
        for code, d in councils.items()
        if code.startswith("E09") == name.startswith("London")
    )
    region_of = {}
    counts = [0] * len(regions)
    for _, code, index in pairs:
        if code not in region_of and counts[index] < regions[index][1]:
            region_of[code] = index
            counts[index] += 1
    # The last councils of a greedy pass go wherever room is left: swap pairs while a swap
    # brings both nearer their regions' centres overall.

    def cost(code, index):
        d = councils[code]
        return math.dist(REGION_CENTRES[regions[index][0]], (d.council_easting, d.council_northing))

    codes = sorted(region_of)
    improved = True
    while improved:
        improved = False
        for i, a in enumerate(codes):
            for b in codes[i + 1 :]:
                ra, rb = region_of[a], region_of[b]
                if ra == rb or a.startswith("E09") != b.startswith("E09"):
                    continue
                if cost(a, rb) + cost(b, ra) < cost(a, ra) + cost(b, rb) - 1:
                    region_of[a], region_of[b] = rb, ra
                    improved = True
    chosen: list[list[str]] = [[] for _ in regions]
    for _, code, index in pairs:
        if region_of.get(code) == index:
            chosen[index].append(code)
    return chosen


def weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def poisson(rng, mean):
    """A Poisson draw (Knuth's method; the means here are small)."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def at(day, hour=0, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


class Generator:
    def __init__(self, scale, *, years, seed, today, progress=None, say=None):
        self.scale, self.years, self.today = scale, years, today
        self.rng = random.Random(seed)  # noqa: S311 - reproducible data, not security
        # Locations have their own generator, so the rest of the data set is as it was.
        self.geo = random.Random(f"geography-{seed}")  # noqa: S311
        # So are invoices: the placements are the same with them or without.
        self.money = random.Random(f"finance-{seed}")  # noqa: S311
        # The billing periods of the past year (every borough's: none has settings of its
        # own, so four-weekly from the default anchor), by their last day; and each borough's
        # placements running, to invoice at each period's end.
        year_ago = today - timedelta(days=365)
        self.periods = {
            p.end: p
            for p in periods_between(BillingSettings(), year_ago, today)
            if p.start >= year_ago and p.end < today
        }
        self.running: dict[int, dict[int, tuple]] = {}
        self.now = at(today, 12)
        self.start = today - timedelta(days=365 * years)
        self.loader = Loader(now=self.now)
        for model in MODELS:
            self.loader[model]
        self.progress = progress or (lambda *args: None)
        self.say = say or (lambda text: None)
        self.password = make_password(DEMO_PASSWORD)

    def run(self):
        tables = [model._meta.db_table for model in MODELS]
        with deferred_constraints(tables, report=self.say):
            self.organisations()
            self.providers()
            self.users()
            self.documents()
            self.quality_scores()
            self.requests()
            self.visits()
            self.loader.flush()
        self.loader.finish()
        return {model._meta.db_table: self.loader[model].written for model in MODELS}

    # --- Organisations, lots, providers ---------------------------------------------------

    def organisations(self):
        rng, load = self.rng, self.loader
        regions = REGIONS[: self.scale.regions]
        total = sum(n for _, n in regions)
        counts = [max(1, round(n * self.scale.boroughs / total)) for _, n in regions]
        counts[-1] += self.scale.boroughs - sum(counts)
        names = [a + b for a in NAME_STARTS for b in NAME_ENDS]
        rng.shuffle(names)
        self.consortia, self.boroughs, self.lots = [], [], {}
        # Each borough is a real council of its region (its area, for distances).
        councils = councils_of_regions(list(zip([r for r, _ in regions], counts, strict=True)))
        districts = by_council()
        self.council_of = {}  # borough name -> its council's districts
        for (region, _), count, region_councils in zip(regions, counts, councils, strict=True):
            consortium = load[Organisation].add(
                kind="consortium", name=f"{region} Children's Placements", slug=slugify(region)
            )
            self.consortia.append(consortium)
            load[QualityWeights].add(consortium_id=consortium, updated_at=self.now)
            for position, (code, name, service_type, *_rest) in enumerate(LOTS):
                self.lots[consortium, code] = load[Lot].add(
                    consortium_id=consortium,
                    code=code,
                    name=name,
                    position=position,
                    service_types=[service_type],
                )
            for number in range(count):
                name = names.pop()
                council = region_councils[number % len(region_councils)]
                borough = load[Organisation].add(
                    kind="borough",
                    name=f"{name} Council",
                    slug=slugify(name),
                    consortium_id=consortium,
                    la_code=council,
                )
                self.council_of[name] = districts[council]
                # Boroughs differ in size: the busiest post several times the quietest's.
                self.boroughs.append((borough, consortium, name, rng.lognormvariate(0, 0.5)))
        self.areas = {c: [b[2] for b in self.boroughs if b[1] == c] for c in self.consortia}

    def providers(self):
        """Providers, each based in one region, with services there (and a few beyond), enrolled
        on their lot in their own region's consortium and in up to three more."""
        s = self.scale
        kinds = [
            ("childrens_home", s.home_providers, s.homes),
            ("fostering", s.fostering_agencies, round(s.fostering_agencies * 1.6)),
            ("supported_accommodation", s.supported_providers, round(s.supported_providers * 2.6)),
            ("school", s.school_providers, round(s.school_providers * 1.4)),
            ("parent_and_child", s.parent_child_providers, round(s.parent_child_providers * 1.5)),
        ]
        self.pools = {}  # (consortium, lot code) -> [(provider, [service ids])]
        self.provider_quality = {}  # provider -> its latent quality (0-100)
        self.provider_price = {}  # provider -> its price level (around 1)
        self.provider_region = {}
        self.services = []  # (service, provider, consortium)
        self.service_places = {}  # service -> (grid, council)
        self.enrolments = []  # (provider, consortium)
        lot_of = {service_type: code for code, _, service_type, *_ in LOTS}
        for service_type, providers, services in kinds:
            sizes = self._split(services, providers)
            for size in sizes:
                self._provider(service_type, lot_of[service_type], size)

    def _location(self, area):
        """A service's place in the area's council: a real postcode district, a plausible
        postcode in it, and a grid reference near the district's centre."""
        geo = self.geo
        district = geo.choice(self.council_of[area])
        inward = f"{geo.randint(1, 9)}{geo.choice(INWARD_LETTERS)}{geo.choice(INWARD_LETTERS)}"
        return {
            "postcode": f"{district.code} {inward}",
            "postcode_district": district.code,
            "easting": district.easting + geo.randint(-1500, 1500),
            "northing": district.northing + geo.randint(-1500, 1500),
            "council": district.council,
            "location_unknown": "",
        }

    def _home(self, area):
        """A child's home: a district of the borough's council, or (the home not shared) the
        council's own area. Returns the request's fields and the grid a placement's distance is
        measured from (None when the home is not shared: the distance is then unknown, as the
        DfE counts a confidential postcode)."""
        geo = self.geo
        districts = self.council_of[area]
        if geo.random() < HOME_NOT_SHARED:
            first = districts[0]
            fields = {"home_location": "borough", "home_district": ""}
            fields |= {"home_easting": first.council_easting,
                       "home_northing": first.council_northing}  # fmt: skip
            return fields, None
        district = geo.choice(districts)
        fields = {"home_location": "district", "home_district": district.code}
        fields |= {"home_easting": district.easting, "home_northing": district.northing}
        return fields, (district.easting, district.northing)

    def _distance(self, home, area, service):
        """A placement's distance fields, from the home's grid to the service's."""
        place = self.service_places.get(service)
        if place is None:
            return {"distance_unknown": "not_given"}
        grid, council = place
        inside = council == self.council_of[area][0].council
        if home is None:
            return {"distance_unknown": "confidential", "council": council,
                    "outside_boundary": not inside}  # fmt: skip
        return {
            "distance_miles": miles_between(home, grid),
            "council": council,
            "outside_boundary": not inside,
        }

    def _split(self, total, parts):
        """`total` services over `parts` providers: most run one or two, a few run dozens."""
        rng = self.rng
        weights = [rng.paretovariate(1.6) for _ in range(parts)]
        scale = (total - parts) / sum(weights)
        sizes = [1 + int(w * scale) for w in weights]
        for _ in range(total - sum(sizes)):
            sizes[rng.randrange(parts)] += 1
        return sizes

    def _provider(self, service_type, lot_code, size):
        rng, load = self.rng, self.loader
        home = rng.choice(self.consortia)
        number = load[Organisation].next_id
        name = f"{rng.choice(NAME_STARTS)}{rng.choice(NAME_ENDS)} Care {number}"
        provider = load[Organisation].add(kind="provider", name=name, slug=f"provider-{number}")
        load[ProviderProfile].add(
            organisation_id=provider,
            legal_name=f"{name} Ltd",
            companies_house_number=f"{10000000 + number}",
            address=f"{number} High Street",
            postcode="AB1 2CD",
            contact_name="Registered manager",
            contact_email=f"contact@provider-{number}.example",
            contact_phone="020 7946 0000",
            registered_at=at(self.start - timedelta(days=rng.randint(30, 900))),
        )
        self.provider_region[provider] = home
        quality_bias = rng.gauss(0, 8)
        self.provider_price[provider] = rng.lognormvariate(0, 0.08)
        regions = {home}
        ratings = []
        served = {}
        age_min, age_max = SERVICE_AGES[service_type]
        for i in range(size):
            region = home if rng.random() < 0.85 else rng.choice(self.consortia)
            regions.add(region)
            rating = weighted(rng, RATINGS)
            ratings.append(rating)
            places = {"fostering": rng.randint(10, 60), "school": rng.randint(20, 90)}.get(
                service_type, rng.randint(2, 8)
            )
            area = rng.choice(self.areas[region])
            location = self._location(area)
            needs_cap = 3 if rng.random() < 0.6 else 2
            service = load[Service].add(
                provider_id=provider,
                service_type=service_type,
                name=f"{name} – {area} {i + 1}",
                ofsted_urn=f"SC{400000 + load[Service].next_id}",
                ofsted_rating=rating,
                inspection_date=self.today - timedelta(days=rng.randint(30, 1000)),
                registered_places=places,
                vacancies=rng.choices([0, 1, 2, 3], weights=[45, 30, 15, 10])[0] * places // 4,
                vacancies_updated_at=self.now - timedelta(days=rng.randint(0, 20)),
                age_min=min(age_max, rng.choice([age_min, age_min + 2])),
                age_max=age_max,
                genders=rng.choices(["any", "male", "female"], weights=[70, 15, 15])[0],
                local_authority=area,
                **location,
                needs_met=dict.fromkeys(INDICATOR_CODES, needs_cap),
                specialisms=[],
                updated_at=self.now,
            )
            self.service_places[service] = (
                (location["easting"], location["northing"]),
                location["council"],
            )
            served.setdefault(region, []).append(service)
            self.services.append((service, provider, home))
        inspection = sum(RATING_QUALITY[r] for r in ratings) / len(ratings)
        self.provider_quality[provider] = max(5, min(98, 0.6 * inspection + 25 + quality_bias))
        # On the lot in its own region and those it serves, and some more besides.
        regions |= set(
            self.rng.sample(self.consortia, k=min(len(self.consortia), rng.randint(0, 3)))
        )
        all_services = [s for group in served.values() for s in group]
        for consortium in sorted(regions):
            lot = self.lots[consortium, lot_code]
            submitted = at(self.start - timedelta(days=rng.randint(10, 400)), 10)
            application = load[Application].add(
                provider_id=provider,
                lot_id=lot,
                status="approved",
                created_at=submitted - timedelta(days=3),
                submitted_at=submitted,
                decided_at=submitted + timedelta(days=rng.randint(3, 20)),
            )
            status = weighted(rng, [("active", 96), ("suspended", 3), ("removed", 1)])
            load[Enrolment].add(
                provider_id=provider,
                lot_id=lot,
                application_id=application,
                status=status,
                suspension_cause="decision" if status == "suspended" else "",
                status_changed_at=submitted,
                enrolled_at=submitted + timedelta(days=20),
            )
            self.enrolments.append((provider, consortium))
            if status == "active":
                self.pools.setdefault((consortium, lot_code), []).append((provider, all_services))

    # --- Users, documents, quality scores ------------------------------------------------

    def users(self):
        rng = self.rng
        for consortium in self.consortia:
            for i in range(3):
                self._user(consortium, Role.CONSORTIUM_ADMIN, i, org_admin=True)
        self.officers = {}
        for borough, _, _, size in self.boroughs:
            count = max(2, round(self.scale.borough_users * size))
            commissioners = max(1, count // 8)
            for i in range(count):
                role = Role.COMMISSIONER if i < commissioners else Role.PLACEMENT_OFFICER
                user = self._user(borough, role, i, org_admin=i == 0)
                if role == Role.PLACEMENT_OFFICER:
                    self.officers.setdefault(borough, []).append(user)
        sizes = {}
        for _, provider, _ in self.services:
            sizes[provider] = sizes.get(provider, 0) + 1
        for provider, size in sizes.items():
            self._user(provider, Role.PROVIDER_ADMIN, 0, org_admin=True)
            for i in range(1, 2 + min(10, size // 2 + rng.randint(0, 2))):
                self._user(provider, Role.BIDDER, i)

    def _user(self, organisation, role, number, org_admin=False):
        load = self.loader
        email = f"{role.replace('_', '-')}{number}@org-{organisation}.example"
        joined = at(self.start - timedelta(days=30))
        user = load[User].add(
            email=email,
            password=self.password,
            full_name=f"{role.label} {number} of {organisation}",
            date_joined=joined,
        )
        load[EmailAddress].add(user_id=user, email=email, verified=True, primary=True)
        load[Membership].add(
            user_id=user,
            organisation_id=organisation,
            role=role,
            is_org_admin=org_admin,
            created_at=joined,
        )
        return user

    def documents(self):
        """Each provider's mandatory documents, current; a few expired, and last year's
        versions that the current ones superseded."""
        rng, load = self.rng, self.loader
        for provider in self.provider_quality:
            for doc_type in sorted(MANDATORY_TYPES):
                expiring = doc_type in EXPIRING_TYPES
                expires = self.today + timedelta(days=rng.randint(-20, 360)) if expiring else None
                current = load[Document].add(**self._document_fields(provider, doc_type, expires))
                if expiring and rng.random() < 0.5:
                    self._document(provider, doc_type, expires - timedelta(days=365), current)

    def _document(self, provider, doc_type, expires, superseded_by):
        fields = self._document_fields(provider, doc_type, expires)
        self.loader[Document].add(superseded_by_id=superseded_by, **fields)

    def _document_fields(self, provider, doc_type, expires):
        issued = expires - timedelta(days=365) if expires else self.today - timedelta(days=200)
        return {
            "provider_id": provider,
            "document_type": doc_type,
            "file": f"documents/{provider}/{self.rng.getrandbits(128):032x}",
            "original_name": f"{doc_type}.pdf",
            "content_type": "application/pdf",
            "size": self.rng.randint(40_000, 900_000),
            "issued_on": issued,
            "expires_on": expires,
            "uploaded_at": at(issued, 9),
        }

    def quality_scores(self):
        """A nightly-run score per provider and consortium, kept monthly over the years."""
        rng, load = self.rng, self.loader
        months = self.years * 12 + 1
        self.latest_quality = {}
        for provider, consortium in self.enrolments:
            base = self.provider_quality[provider]
            for m in range(months):
                day = self.start + timedelta(days=30 * m)
                parts = {
                    name: round(max(0, min(100, base + rng.gauss(0, 6))), 2)
                    for name in QUALITY_WEIGHTS
                }
                total = sum(parts[n] * w for n, w in QUALITY_WEIGHTS.items()) / 100
                score = load[QualityScore].add(
                    provider_id=provider,
                    consortium_id=consortium,
                    computed_at=at(day, 2, 30),
                    total=Decimal(f"{total:.2f}"),
                    weights=QUALITY_WEIGHTS,
                    inputs={},
                    trigger="nightly",
                    **{n: Decimal(f"{v:.2f}") for n, v in parts.items()},
                )
            self.latest_quality[provider, consortium] = (score, Decimal(f"{total:.2f}"))

    # --- Requests, bids, placements -------------------------------------------------------

    def requests(self):
        rng = self.rng
        days = (self.today - self.start).days + 1
        per_borough_day = self.scale.requests_per_year / 365 / len(self.boroughs)
        sizes = sum(b[3] for b in self.boroughs) / len(self.boroughs)
        expected = self.scale.requests_per_year * days / 365
        self.children = {b[0]: deque(maxlen=400) for b in self.boroughs}
        made, started = 0, time.monotonic()
        lot_weights = [(lot, lot[3]) for lot in LOTS]
        for offset in range(days):
            day = self.start + timedelta(days=offset)
            weekday_factor = 1.25 if day.weekday() < 5 else 0.35
            for borough, consortium, name, size in self.boroughs:
                mean = per_borough_day * size / sizes * weekday_factor
                for _ in range(poisson(rng, mean)):
                    lot = weighted(rng, lot_weights)
                    self._request(day, borough, consortium, name, lot)
                    made += 1
                    if rng.random() < self.scale.spot_share:
                        self._spot_placement(day, borough, consortium, lot, name)
            # Every placement running by today has been made: a period ending today is invoiced.
            if day in self.periods:
                self.invoices(self.periods[day])
            self.progress("requests", made, expected, time.monotonic() - started)
        self.progress("requests", made, made, time.monotonic() - started)

    def _request(self, day, borough, consortium, area, lot):
        rng, load = self.rng, self.loader
        code, _, _, _, (age_min, age_max), base_fee, *_ = lot
        # Older children are placed far more often: weights rise with age.
        age = rng.choices(range(age_min, age_max + 1), weights=range(1, age_max - age_min + 2))[0]
        age = min(age_max, age + (rng.random() < 0.3))
        heavy = 0.55 if code == "childrens-homes" else 0.3
        needs = {c: rng.choices([0, 1, 2, 3], weights=[1 - heavy, 1, heavy * 2, heavy])[0]
                 for c in INDICATOR_CODES}  # fmt: skip
        need_total = sum(needs.values())
        emergency = rng.random() < 0.22
        created = at(day, rng.randint(8, 17), rng.randint(0, 59))
        published = created + timedelta(minutes=rng.randint(5, 240))
        deadline = published + timedelta(hours=4 if emergency else 24)
        needed = day + timedelta(days=0 if emergency else rng.randint(3, 28))
        weeks = rng.choice([12, 26, 52, 78, 104])
        status = self._status(deadline)
        pk = load[PlacementRequest].new_id()
        home, home_grid = self._home(area)
        pool = self.pools.get((consortium, code), [])
        fields = {
            "id": pk,
            "borough_id": borough,
            "lot_id": self.lots[consortium, code],
            "reference": f"R{pk:07d}",
            "status": status,
            "strengths": "Enjoys football and drawing; kind to younger children.",
            "age": age,
            "gender": rng.choice(["female", "male"]) if rng.random() < 0.97 else "other",
            "ethnicity": rng.choice(ETHNICITIES),
            "language": "English",
            "legal_status": weighted(rng, [("s31", 60), ("s20", 22), ("s38", 14), ("remand", 4)]),
            "urgency": "emergency" if emergency else "planned",
            "date_needed": needed,
            "duration_weeks": weeks,
            "areas": [area] if rng.random() < 0.3 else [],
            **home,
            "solo_placement": code == "childrens-homes" and rng.random() < 0.1,
            "needs": needs,
            "child_views": "Wants to stay near their school and friends.",
            "story": "Placement needed after a breakdown at home; a history of moves.",
            "max_weekly_budget": Decimal(round(base_fee * (1 + 0.06 * need_total), -1)),
            "bid_deadline": deadline,
            "published_at": published if status != Status.DRAFT else None,
            "created_at": created,
            "updated_at": created,
        }
        if status == Status.DRAFT or not pool:
            fields.update(status=Status.DRAFT, published_at=None, bid_deadline=None)
            load[PlacementRequest].add(**fields)
            return
        closed = status != Status.OPEN
        if closed:
            fields["closed_at"] = deadline + timedelta(seconds=35)
        if status in (Status.CANCELLED, Status.NO_SUITABLE_OFFER):
            fields["status_reason"] = "Placed in-house." if status == Status.CANCELLED else ""
            if status == Status.CANCELLED:
                fields["cancel_reason"] = "placed_in_house"
        load[PlacementRequest].add(**fields)
        bids = self._bids(pk, consortium, pool, needs, base_fee, published, deadline, closed)
        self._transitions(pk, status, created, published, deadline)
        if status in (Status.AWARDED, Status.PLACED) and bids:
            self._placement(pk, borough, consortium, lot, bids, needs, age, needed, deadline,
                            placed=status == Status.PLACED, home=(home_grid, area))  # fmt: skip

    def _status(self, deadline):
        """The state a request of that deadline is in now: the old ones finished, the last
        days' ones on their way."""
        rng, since = self.rng, self.now - deadline
        if rng.random() < 0.004:
            return Status.DRAFT
        if since < timedelta(0):
            return Status.OPEN
        if since < timedelta(days=1):
            return Status.CLOSED
        if since < timedelta(days=3):
            return Status.SHORTLISTED
        if since < timedelta(days=7):
            return Status.AWARDED
        return weighted(
            rng, [(Status.PLACED, 74), (Status.NO_SUITABLE_OFFER, 11), (Status.CANCELLED, 15)]
        )

    def _bids(self, request, consortium, pool, needs, base_fee, published, deadline, closed):
        """Invite providers from the lot's pool, some of whom bid; score and rank the bids once
        the request has closed. Returns [(bid id, provider, service, fee, rank)] by rank."""
        rng, load = self.rng, self.loader
        low, high = self.scale.bids
        wanted = min(high, max(low, int(rng.lognormvariate(2.25, 0.45))))
        invited = rng.sample(pool, k=min(len(pool), int(wanted * rng.uniform(1.3, 2.2))))
        bidders = invited[: min(len(invited), wanted)]
        need_total = sum(needs.values())
        through = load[ProviderInvitation.services.through]
        for i, (provider, services) in enumerate(invited):
            invitation = load[ProviderInvitation].add(
                request_id=request,
                provider_id=provider,
                invited_at=published,
                first_viewed_at=published + timedelta(minutes=rng.randint(3, 200)),
                declined_at=(
                    published + timedelta(hours=1)
                    if i >= len(bidders) and rng.random() < 0.4
                    else None
                ),
            )
            through.add(providerinvitation_id=invitation, service_id=rng.choice(services))
        offers = []
        window = (deadline - published).total_seconds()
        for provider, services in bidders:
            fee = base_fee * (1 + 0.06 * need_total) * self.provider_price[provider]
            fee = Decimal(round(fee * rng.lognormvariate(0, 0.1) / 5) * 5)
            claimed = [c for c, score in needs.items() if score and rng.random() < 0.93]
            quality = self.latest_quality.get((provider, consortium))
            offers.append(
                {
                    "provider": provider,
                    "service": rng.choice(services),
                    "fee": fee,
                    "claimed": claimed,
                    "quality": quality,
                    "submitted": published + timedelta(seconds=rng.uniform(60, window - 1)),
                }
            )
        if closed:
            self._score(offers, needs, need_total)
        result = []
        for offer in offers:
            staffing = (
                (offer["fee"] * Decimal("0.12")).quantize(Decimal(1)) if rng.random() < 0.3 else 0
            )
            bid = load[Bid].add(
                request_id=request,
                provider_id=offer["provider"],
                service_id=offer["service"],
                core_weekly_fee=offer["fee"] - staffing,
                extra_staffing_hours=Decimal(10) if staffing else Decimal(0),
                extra_staffing_cost=staffing,
                weekly_fee=offer["fee"],
                start_date=deadline.date() + timedelta(days=2),
                needs_met=dict.fromkeys(offer["claimed"], "Met through the care plan."),
                submitted_at=offer["submitted"],
                created_at=offer["submitted"],
                **offer.get("scores", {}),
            )
            result.append(
                (bid, offer["provider"], offer["service"], offer["fee"], offer.get("rank"))
            )
        if closed:
            self._evaluation(request, offers, result, need_total)
        result.sort(key=lambda r: r[4] or 0)
        return result

    def _score(self, offers, needs, need_total):
        """The lot's default weights, as placements.services.scoring does it."""
        lowest = min(o["fee"] for o in offers)
        for offer in offers:
            snapshot, quality = offer["quality"] or (None, Decimal(50))
            price = (100 * lowest / offer["fee"]).quantize(Decimal("0.01"))
            met = sum(needs[c] for c in offer["claimed"])
            fit = Decimal(100) if not need_total else Decimal(100 * met / need_total)
            fit = fit.quantize(Decimal("0.01"))
            total = (60 * quality + 30 * price + 10 * fit) / 100
            offer["met"] = met
            offer["scores"] = {
                "price_score": price,
                "quality_score": quality,
                "needs_fit_score": fit,
                "total_score": total.quantize(Decimal("0.01")),
                "quality_snapshot_id": snapshot,
            }
        offers.sort(key=lambda o: (-o["scores"]["total_score"], o["submitted"]))
        for rank, offer in enumerate(offers, start=1):
            offer["scores"]["rank"] = rank
            offer["rank"] = rank

    def _evaluation(self, request, offers, bids, need_total):
        inputs = {
            str(bid): {"weekly_fee": str(o["fee"]), "need_points_met": o["met"]}
            for (bid, *_), o in zip(bids, offers, strict=True)
        }
        self.loader[Evaluation].add(
            request_id=request,
            evaluated_at=max(o["submitted"] for o in offers) + timedelta(hours=1),
            weights=WEIGHTS,
            lowest_fee=min(o["fee"] for o in offers),
            total_need_score=need_total,
            inputs=inputs,
            valid_bids=len(offers),
            invalid_bids=0,
        )

    def _transitions(self, request, status, created, published, deadline):
        steps = [(Status.DRAFT, Status.OPEN, published)]
        closed = deadline + timedelta(seconds=35)
        path = {
            Status.CLOSED: [Status.CLOSED],
            Status.SHORTLISTED: [Status.CLOSED, Status.SHORTLISTED],
            Status.AWARDED: [Status.CLOSED, Status.SHORTLISTED, Status.AWARDED],
            Status.PLACED: [Status.CLOSED, Status.SHORTLISTED, Status.AWARDED, Status.PLACED],
            Status.NO_SUITABLE_OFFER: [Status.CLOSED, Status.NO_SUITABLE_OFFER],
            Status.CANCELLED: [Status.CLOSED, Status.CANCELLED],
        }.get(status, [])
        previous, when = Status.OPEN, closed
        for to in path:
            steps.append((previous, to, when))
            previous, when = to, when + timedelta(hours=self.rng.randint(2, 30))
        for from_status, to, when in steps:
            self.loader[RequestTransition].add(
                request_id=request,
                from_status=from_status,
                to_status=to,
                at=when,
                actor_label="system" if to == Status.CLOSED else "Placement officer",
            )

    def _placement(self, request, borough, consortium, lot, bids, needs, age, needed, deadline,
                   placed, home):  # fmt: skip
        rng = self.rng
        # Most awards go to the top-ranked bid; some to the second or third, with a reason.
        pick = 0 if rng.random() < 0.88 or len(bids) == 1 else rng.randint(1, min(2, len(bids) - 1))
        bid, provider, service, fee, _ = bids[pick]
        awarded = deadline + timedelta(hours=rng.randint(20, 60))
        self._place(
            borough=borough,
            consortium=consortium,
            lot=lot,
            fee=fee,
            start=min(max(needed, awarded.date()), self.today)
            if placed
            else self.today + timedelta(days=1),
            age=age,
            needs=needs,
            awarded=awarded,
            source="dps",
            request_id=request,
            bid_id=bid,
            provider_id=provider,
            service_id=service,
            award_reason="" if pick == 0 else "The young person preferred this home.",
            needs_total=sum(needs.values()),
            **self._distance(*home, service),
        )

    def _spot_placement(self, day, borough, consortium, lot, area):
        """A placement bought outside the DPS (spot purchase), dearer than through it."""
        rng = self.rng
        code, _, _, _, (age_min, age_max), base_fee, *_ = lot
        pool = self.pools.get((consortium, code))
        on_dps = pool and rng.random() < 0.6
        provider, services = rng.choice(pool) if on_dps else (None, [None])
        needs = {c: rng.choice([0, 1, 1, 2, 3]) for c in INDICATOR_CODES}
        fee = base_fee * (1 + 0.06 * sum(needs.values())) * rng.uniform(1.05, 1.3)
        service = rng.choice(services)
        _home, home_grid = self._home(area)
        self._place(
            borough=borough,
            consortium=consortium,
            lot=lot,
            fee=Decimal(round(fee / 5) * 5),
            start=day,
            age=rng.randint(age_min, age_max),
            needs=needs,
            awarded=at(day, 16),
            source="spot",
            provider_id=provider,
            service_id=service,
            spot_provider_name="" if on_dps else "An independent provider",
            **self._distance(home_grid, area, service),
        )

    def _place(self, *, borough, consortium, lot, fee, start, age, needs, awarded, **fields):
        rng, load = self.rng, self.loader
        code, _, _, _, _, _, (shortest, longest), unplanned_share = lot
        child = self._child(borough, age, start)
        planned_length = rng.randint(shortest, longest)
        unplanned = rng.random() < unplanned_share * (1.3 if age >= 14 else 0.8)
        length = int(planned_length * rng.uniform(0.1, 0.7)) if unplanned else planned_length
        end = start + timedelta(days=length)
        if start > self.today:
            status, end = "awarded", None
        elif end < self.today:
            status = "ended"
        else:
            status, end = "started", None
        fee_now = fee
        fee_changed = status != "awarded" and (self.today - start).days > 120
        if fee_changed and rng.random() < 0.08:
            fee_now = Decimal(round(float(fee) * rng.uniform(1.03, 1.12) / 5) * 5)
        ending = {}
        if status == "ended":
            ending = {
                "end_date": end,
                "end_planned": not unplanned,
                "end_reason": rng.choice(UNPLANNED_MOVE)
                if unplanned
                else rng.choice([*PLANNED_LEAVING, "CARPL"]),
                "destination": "Another placement" if unplanned else "Returned home",
            }
        placement = load[Placement].add(
            borough_id=borough,
            child_id=child,
            lot_id=self.lots[consortium, code],
            child_reference=f"C{child:07d}",
            weekly_fee=fee_now,
            start_date=start,
            planned_end_date=start + timedelta(days=planned_length),
            actual_start_date=start if status != "awarded" else None,
            status=status,
            awarded_at=awarded,
            **ending,
            **fields,
        )
        # Its schedule: the agreed fee, and for some a change after a few months.
        changed_on = start + timedelta(days=rng.randint(60, 120))
        load[Fee].add(
            placement_id=placement,
            kind=Fee.Kind.AGREED,
            effective_date=start,
            ends=changed_on - timedelta(days=1) if fee_now != fee else None,
            weekly_fee=fee,
            reason="The fee agreed at award.",
            recorded_at=awarded,
        )
        if fee_now != fee:
            load[Fee].add(
                placement_id=placement,
                kind=Fee.Kind.ADDITIONAL_SUPPORT,
                effective_date=changed_on,
                weekly_fee=fee_now,
                reason="Extra staffing agreed at review.",
                recorded_at=at(start + timedelta(days=60), 11),
            )
        provider = fields.get("provider_id")
        if status != "awarded" and provider is not None:  # a provider on the DPS invoices
            rates = [Rate(start, None, fee, Fee.Kind.AGREED, "", start)]
            if fee_now != fee:
                rates = [
                    replace(rates[0], ends=changed_on - timedelta(days=1)),
                    Rate(changed_on, None, fee_now, Fee.Kind.ADDITIONAL_SUPPORT, "", changed_on),
                ]
            schedule = Schedule(placement, start, end, None, tuple(rates))
            self.running.setdefault(borough, {})[placement] = (provider, schedule)
        self._reviews(placement, start, end or self.today, needs, age, unplanned)

    def _child(self, borough, age, start):
        """A new child, or (for about one placement in five) one the borough placed before,
        so some children have several placements in a year."""
        rng, recent = self.rng, self.children[borough]
        if recent and rng.random() < 0.2:
            return rng.choice(recent)
        born = start - timedelta(days=365 * age + rng.randint(0, 364))
        child = self.loader[Child].add(
            borough_id=borough,
            reference=f"C{self.loader[Child].next_id:07d}",
            date_of_birth=born,
            sex=rng.choice(["1", "2"]),
            ethnicity=rng.choice(ETHNICITIES),
            looked_after_since=start - timedelta(days=rng.randint(0, 900)),
        )
        recent.append(child)
        return child

    def _reviews(self, placement, start, until, needs, age, unsettled):
        rng, load = self.rng, self.loader
        day = start + timedelta(days=28)
        down, up = (0.2, 0.2) if unsettled else (0.3, 0.08)
        while day <= until:
            needs = {
                code: min(3, max(0, score - (r < down) + (down <= r < down + up)))
                for code, score in needs.items()
                for r in (rng.random(),)
            }
            years = age + (day - start).days // 365
            if years < 5:
                education, attendance = "not_applicable", None
            elif years < 16:
                attending = rng.random() < 0.9
                education = "attending" if attending else "not_attending"
                attendance = rng.randint(60, 100) if attending else 0
            else:
                education, attendance = ("eet" if rng.random() < 0.65 else "neet"), None
            domain = rng.choice(DOMAINS)[0]
            load[PlacementReview].add(
                placement_id=placement,
                review_date=day,
                needs=needs,
                needs_total=sum(needs.values()),
                outcomes_progress={domain: {"progress": "improving", "note": "Steady progress."}},
                education_status=education,
                attendance_percent=attendance,
                recorded_at=at(day, 15),
            )
            day += timedelta(days=REVIEW_EVERY)

    # --- Invoices -------------------------------------------------------------------------

    def invoices(self, period):
        """One invoice per provider per borough for the period just ended, a line for each of
        its placements running in it, the days and amount the schedule owes (`Schedule.owed`,
        the rule invoices are matched by). Older periods' invoices are approved and paid; the
        latest await decisions; a few lines ask more than the schedule, a few are queried."""
        back = sum(1 for end in self.periods if end > period.end)  # periods since this one
        for borough, running in self.running.items():
            by_provider: dict[int, list] = {}
            for placement, (provider, schedule) in running.items():
                days, owed = schedule.owed(period.start, period.end)
                if days:
                    by_provider.setdefault(provider, []).append((placement, days, owed))
            for provider, lines in by_provider.items():
                self._invoice(borough, provider, period, back, lines)
            # Those ended before the next period have nothing more to invoice.
            for placement in [
                pk
                for pk, (_p, schedule) in running.items()
                if schedule.ended is not None and schedule.ended <= period.end
            ]:
                del running[placement]

    def _invoice(self, borough, provider, period, back, lines):
        rng, load = self.money, self.loader
        submitted = period.end + timedelta(days=rng.randint(1, 6))
        if back == 0:  # the latest period: mostly awaiting decisions
            status = weighted(rng, [("submitted", 85), ("decided", 15)])
        elif back == 1:
            status = weighted(rng, [("submitted", 15), ("decided", 45), ("paid", 40)])
        else:
            status = weighted(rng, [("submitted", 2), ("decided", 4), ("paid", 94)])
        decided_at = at(min(submitted + timedelta(days=rng.randint(2, 10)), self.today), 14)
        invoice = load[Invoice].add(
            provider_id=provider,
            borough_id=borough,
            number=f"INV-{borough}-{period.start:%Y%m%d}",
            period_start=period.start,
            period_end=period.end,
            status=status,
            source=weighted(rng, [("csv", 60), ("api", 25), ("page", 15)]),
            submitted_at=at(min(submitted, self.today), 10),
        )
        approved = Decimal(0)
        for placement, days, owed in lines:
            amount, match = owed, InvoiceLine.Match.MATCHED
            if rng.random() < 0.04:  # a few ask for more than the schedule owes
                amount = owed + Decimal(rng.choice([25, 50, 100, 150]))
                match = InvoiceLine.Match.OVER
            if status == "submitted":
                line_status = (
                    "queried"
                    if match == InvoiceLine.Match.OVER or rng.random() < 0.03
                    else "pending"
                )
            else:
                line_status = "rejected" if match == InvoiceLine.Match.OVER else "approved"
            reason = {
                "queried": "Please explain the days or the amount.",
                "rejected": "More than the agreed fee: invoice the amount the schedule owes.",
            }.get(line_status, "")
            load[InvoiceLine].add(
                invoice_id=invoice,
                placement_id=placement,
                days=days,
                amount=amount,
                expected_days=days,
                expected_amount=owed,
                match=match,
                status=line_status,
                reason=reason,
                decided_at=decided_at if line_status != "pending" else None,
            )
            if line_status == "approved":
                approved += amount
        if status == "paid":
            load[Remittance].add(
                invoice_id=invoice,
                paid_on=min(decided_at.date() + timedelta(days=rng.randint(5, 20)), self.today),
                reference=f"BACS-{invoice:08d}",
                amount=approved,
                recorded_at=decided_at,
            )

    # --- Monitoring visits ---------------------------------------------------------------

    def visits(self):
        """Every service visited about twice a year, a few late, and the next one scheduled."""
        rng, load = self.rng, self.loader
        for service, provider, consortium in self.services:
            due = self.start + timedelta(days=rng.randint(0, 182))
            while due <= self.today + timedelta(days=182):
                done = due <= self.today and rng.random() < 0.93
                load[MonitoringVisit].add(
                    service_id=service,
                    provider_id=provider,
                    consortium_id=consortium,
                    due_date=due,
                    status="completed" if done else "scheduled",
                    visited_on=due + timedelta(days=rng.randint(-10, 20)) if done else None,
                    findings="Records in order; staffing stable." if done else "",
                    rag=weighted(rng, [("green", 75), ("amber", 20), ("red", 5)]) if done else "",
                    created_at=at(due - timedelta(days=60)),
                )
                due += timedelta(days=182)


def generate(scale, *, years, seed, today=None, progress=None, say=None):
    """Generate the data set into the (empty) database. Returns {table: rows written}."""
    today = today or date.today()  # noqa: DTZ011 - the data set's "now" is today's date
    generator = Generator(scale, years=years, seed=seed, today=today, progress=progress, say=say)
    return generator.run()
