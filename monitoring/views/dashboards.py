"""The dashboards: a borough commissioner's, the consortium admin's, a provider's performance,
and the market position statement. They read KPI snapshots (computed by the workers) and group
the actor's own placements in the database; nothing here computes a KPI.

Every chart is drawn by static/js/charts.js from a JSON data island, has the same figures in a
table beneath it, and downloads as CSV with ?format=csv&chart=<name>. Without JavaScript the
tables are the page.

The commissioner's and the consortium admin's dashboards and the provider performance pages
show one return year (?year_ending=YYYY: 1 April YYYY-1 to 31 March YYYY), the latest complete
one until another is chosen: the headline figures are that year's, and the trends (their
tables and CSVs too) its months. Every period is named by monitoring.kpis.periods."""

import html
from collections import Counter, namedtuple
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from dps.csv_export import csv_download
from dps.decorators import actor_required
from dps.formatting import figure_display, figure_rounded, money
from dps.models import Organisation
from dps.tenancy import get_or_404
from finance.selectors.uplifts import uplift_rounds_summary
from procurement.selectors.notices import notices_due_summary
from providers.models import Lot
from providers.selectors.arrangement import arrangement_of, arrangement_warnings

from ..kpis.periods import MONTH, YEAR, period_label, return_year, snapshot_label
from ..selectors import dashboards as sel

Scope = sel.Scope
Kind = Organisation.Kind
RAG_TAGS = {"green": ("Green", "govuk-tag--green"), "amber": ("Amber", "govuk-tag--yellow")}
RAG_TAGS["red"] = ("Red", "govuk-tag--red")


@dataclass
class Chart:
    """One chart: its figures as a table (columns, rows of display text, rows of raw values
    for the CSV) and, when it is drawn, the Chart.js type and data."""

    name: str
    title: str
    columns: list
    rows: list = field(default_factory=list)
    raw: list = field(default_factory=list)
    kind: str | None = None
    data: dict = field(default_factory=dict)
    note: str = ""

    @property
    def script_id(self):
        return f"chart-data-{self.name}"

    def add(self, display, raw=None, *, listed=True):
        """A row of the CSV, and of the page's table unless `listed` is False."""
        if listed:
            self.rows.append(display)
        self.raw.append(display if raw is None else raw)

    @property
    def config(self):
        return {"type": self.kind, "title": self.title, **self.data}

    @property
    def body_html(self):
        """The table's rows, the first cell of each its header: the markup the template's
        loops would make, built here because a consortium's placements run to thousands of
        rows and the template language takes ten times as long over them."""
        return mark_safe(  # every cell is escaped by cell_html
            "\n".join(
                '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
                + cell_html(row[0])
                + "</th>"
                + "".join(f'<td class="govuk-table__cell">{cell_html(c)}</td>' for c in row[1:])
                + "</tr>"
                for row in self.rows
            )
        )


def options_html(choices, selected):
    """<option>s for (value, label) pairs, `selected` marked: built here, as table rows are, for
    a consortium's hundreds of providers."""
    return mark_safe(  # labels are escaped; values are ids
        "".join(
            f'<option value="{value}"{" selected" if value == selected else ""}>'
            f"{html.escape(label)}</option>"
            for value, label in choices
        )
    )


# A namedtuple subclass rather than typing.NamedTuple: mypy's Django plugin never finishes a
# module holding both a typing.NamedTuple with methods and a form without Meta.
class Link(namedtuple("Link", ["text", "url"])):
    """A table cell that leads somewhere (in the CSV, its text)."""

    __slots__ = ()

    def __str__(self):
        return self.text


def performance_url(provider_id):
    return reverse("monitoring:provider_performance", args=[provider_id])


def cell_html(value):
    """A value as {{ value }} shows it: localized (numbers), then escaped. Text and whole
    numbers, nearly every cell, go the short way (what localize and escape would make of them
    without a thousands separator)."""
    kind = type(value)
    if kind is Link:
        return (
            f'<a class="govuk-link" href="{html.escape(value.url)}">{html.escape(value.text)}</a>'
        )

    if kind is str:
        return html.escape(value)
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return conditional_escape(localize(value))


def csv_response(chart):
    response, writer = csv_download(f"{chart.name}.csv")
    writer.writerow(chart.columns)
    writer.writerows(chart.raw)
    return response


def respond(request, template, context, charts, status=200):
    """The page, or one of its charts as CSV."""
    if request.GET.get("format") == "csv":
        wanted = request.GET.get("chart")
        for chart in charts:
            if chart.name == wanted:
                return csv_response(chart)
        raise Http404("No such chart.")
    return render(request, template, {**context, "charts": charts}, status=status)


def rag(snapshot):
    if snapshot is None or not snapshot.rag:
        return None
    label, css = RAG_TAGS.get(snapshot.rag, (snapshot.rag.capitalize(), "govuk-tag--grey"))
    return {"label": label, "css": css}


def figure(snapshot, info):
    value = snapshot.value if snapshot else None
    return figure_display(value, info.unit)


def month_label(start):
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return period_label(MONTH, start, end, end)


def number(value):
    return None if value is None else float(value)


# --- Pieces shared by the dashboards ----------------------------------------------------


class YearChoice(forms.Form):
    """The return year a page shows: one the consortium has yearly figures for."""

    year_ending = forms.TypedChoiceField(
        label="Return year",
        coerce=int,
        choices=(),
        error_messages={
            "invalid_choice": "Choose a return year from the list.",
            "required": "Choose a return year from the list.",
        },
    )

    def __init__(self, *args, consortium, today, **kwargs):
        super().__init__(*args, **kwargs)
        years = sel.return_years(consortium) if consortium is not None else []
        self.today = today
        self.default = sel.default_return_year(years, today)
        if self.default not in years:
            years = sorted({*years, self.default}, reverse=True)
        self.fields["year_ending"].choices = [(year, self.label_of(year)) for year in years]

    def label_of(self, year_ending):
        year = return_year(year_ending)
        return period_label(YEAR, year.start, year.end, year.upto(self.today))

    @property
    def chosen(self):
        """The year shown: the one chosen, or (none, or not on the list) the default."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["year_ending"]
        return self.default

    def options_html(self):
        return options_html(
            [(str(year), label) for year, label in self.fields["year_ending"].choices],
            str(self.chosen),
        )


def year_choice(request, consortium):
    """The page's YearChoice, bound when the query names a year; and the status it answers
    with (400 for a year that is not on the list)."""
    form = YearChoice(
        request.GET if "year_ending" in request.GET else None,
        consortium=consortium,
        today=timezone.localdate(),
    )
    return form, 400 if form.is_bound and not form.is_valid() else 200


def headline_rows(consortium, scope, scope_id, year_ending, compare=True, codes=None, quarter=None):
    """One row per headline KPI (or per KPI of `codes`): the scope's figure for the return
    year (or its quarter), its RAG and period, and the consortium's figure beside it."""
    codes = sel.HEADLINE if codes is None else codes
    own = sel.year_snapshots(consortium, scope, [scope_id], codes, year_ending, quarter)
    whole = (
        sel.year_snapshots(
            consortium, Scope.CONSORTIUM, [consortium.pk], codes, year_ending, quarter
        )
        if compare
        else {}
    )
    rows = []
    for code in codes:
        info = sel.kpi_info(code)
        snap = own.get((scope_id, code))
        other = whole.get((consortium.pk, code))
        rows.append(
            {
                "info": info,
                "snapshot": snap,
                "value": figure(snap, info),
                "rag": rag(snap),
                "period": snapshot_label(snap),
                "consortium_snapshot": other,
                "consortium": figure(other, info) if compare else None,
            }
        )
    return rows


def figures_chart(name, title, rows, own_label, consortium_label=None):
    """The headline (or KPI) table as a CSV: each KPI's figure, its period and its status,
    and the consortium's beside it."""
    columns = ["Indicator", "Unit", own_label, "Period", "Status"]
    columns += [consortium_label] if consortium_label else []
    chart = Chart(name=name, title=title, columns=columns)
    for row in rows:
        snap = row["snapshot"]
        unit = row["info"].unit
        raw = [row["info"].label, unit, figure_rounded(snap.value if snap else None, unit)]
        raw += [row["period"], snap.rag if snap else ""]
        if consortium_label:
            other = row["consortium_snapshot"]
            raw.append(figure_rounded(other.value if other else None, unit))
        chart.add(None, raw, listed=False)
    return chart


def placement_mix_chart(rows, own_label, consortium_label=None):
    """Where the children looked after on 31 March live, by the DfE's groups of placement
    type: a bar per group (the share of the children), the consortium's beside it."""
    columns = ["Placement type", f"{own_label} (%)"]
    columns += [f"{consortium_label} (%)"] if consortium_label else []

    def values(key):
        return [number(row[key].value) if row[key] else None for row in rows]

    datasets = [{"label": own_label, "data": values("snapshot")}]
    if consortium_label:
        datasets.append({"label": consortium_label, "data": values("consortium_snapshot")})
    chart = Chart(
        name="placement-type",
        title="Children looked after on 31 March by placement type",
        columns=columns,
        kind="bar",
        data={"labels": [r["group"] for r in rows], "unit": "percent", "datasets": datasets},
    )
    for row in rows:
        own, other = row["snapshot"], row["consortium_snapshot"]
        display = [row["group"], row["value"]] + ([row["consortium"]] if consortium_label else [])
        unit = row["info"].unit
        raw = [row["group"], figure_rounded(own.value if own else None, unit)]
        raw += [figure_rounded(other.value if other else None, unit)] if consortium_label else []
        chart.add(display, raw)
    if not any(r["snapshot"] for r in rows):
        chart.note = "No SSDA903 return of this year has been imported."
    return chart


def distance_chart(bands, whose):
    """Placements made through the DPS by distance band (and distance unknown): a bar per
    band, with the count and share of each in the table."""
    total = sum(count for _band, count in bands)
    chart = Chart(
        name="distance-bands",
        title=f"{whose} by distance from home",
        columns=["Distance from home", "Placements", "Share (%)"],
        kind="bar",
        data={
            "labels": [band for band, _count in bands],
            "unit": "count",
            "datasets": [{"label": "Placements", "data": [count for _band, count in bands]}],
        },
    )
    for band, count in bands:
        share = figure_rounded(count * 100 / total, "percent") if total else None
        chart.add([band, count, figure_display(share, "percent")], [band, count, share])
    if not total:
        chart.note = "No placement made through the DPS began in this period."
    return chart


def unknown_table(reasons, narrowed):
    """Why distances are unknown, by reason: a table (no chart)."""
    table = Chart(
        name="distance-unknown",
        title="Why distances are unknown",
        columns=["Reason", "Placements made through the DPS", "SSDA903 episodes (new carer)"],
    )
    for reason, placements, episodes in reasons:
        table.add([reason, placements, "–" if episodes is None else episodes])
    if narrowed:
        table.note = "SSDA903 episodes name no lot or provider: narrowed, they are not counted."
    if not reasons:
        table.note = "Every distance in the period is known."
    return table


def trend_charts(consortium, series_scopes, year_ending=None, quarter=None):
    """A line chart per trend KPI: each (label, scope, scope_id) a line, month by month (the
    complete months of the return year, or its quarter, if given)."""
    scopes = [(scope, scope_id) for _label, scope, scope_id in series_scopes]
    series = sel.monthly_series(
        consortium, sel.TRENDS, scopes, year_ending=year_ending, quarter=quarter
    )
    charts = []
    for code in sel.TRENDS:
        info = sel.kpi_info(code)
        lines = [
            (label, dict(series.get((code, scope, scope_id), [])))
            for label, scope, scope_id in series_scopes
        ]
        months = sorted({month for _label, values in lines for month in values})
        chart = Chart(
            name=f"trend-{code.replace('_', '-')}",
            title=f"{info.label}, month by month",
            columns=["Month", *[label for label, _values in lines]],
            kind="line",
            data={
                "labels": [m.strftime("%b %Y") for m in months],
                "unit": info.unit,
                "datasets": [
                    {"label": label, "data": [number(values.get(m)) for m in months]}
                    for label, values in lines
                ],
            },
        )
        for m in months:
            chart.add(
                [month_label(m)]
                + [figure_display(values.get(m), info.unit) for _l, values in lines],
                [m.isoformat()]
                + [figure_rounded(values.get(m), info.unit) for _l, values in lines],
            )
        if not months:
            chart.note = "No monthly figures have been computed yet."
        charts.append(chart)
    return charts


def spend_chart(actor, by, provider, lot=None):
    rows = sel.spend_by(actor, by, provider, lot)
    chart = Chart(
        name=f"spend-by-{by}",
        title=f"Current weekly spend by {by}",
        columns=[by.capitalize(), "Placements", "Weekly spend (£)"],
        kind="bar",
        data={
            "labels": [name or "None" for name, _w, _n, _pk in rows],
            "unit": "pounds",
            "datasets": [{"label": "Weekly spend", "data": [number(w) for _n, w, _c, _pk in rows]}],
        },
    )
    for name, weekly, count, pk in rows:
        # A provider's name leads to its performance (a spot purchase's provider has none).
        shown = Link(name, performance_url(pk)) if by == "provider" and pk else name or "None"
        chart.add(
            [shown, count, figure_display(weekly, "pounds")],
            [name, count, figure_rounded(weekly, "pounds")],
        )
    if not rows:
        chart.note = "No current placements."
    return chart


# Beyond this many placements the scatter's table lists only the outliers: thousands of rows
# are no way to read a chart (the CSV still has every one).
SCATTER_LISTED = 200


def scatter_charts(actor, provider, show_borough, lot=None):
    """The scatter, and the current placements it leaves out with the reason for each."""
    rows, left_out = sel.fee_against_need(actor, provider, lot)
    flagged = sel.outliers([(needs, fee) for _pk, _ref, _b, _p, needs, fee in rows])
    columns = ["Placement", "Child reference"]
    columns += ["Borough"] if show_borough else []
    columns += ["Provider", "Total needs score", "Weekly fee (£)", "Outlier"]
    chart = Chart(
        name="fee-against-need",
        title="Weekly fee against the total needs score",
        columns=columns,
        kind="scatter",
        data={
            "unit": "pounds",
            "x_title": "Total needs score",
            "y_title": "Weekly fee",
            # Each point as [x, y], which Chart.js reads as {x, y}: a consortium's thousands of
            # placements in half the bytes.
            "datasets": [
                {
                    "label": "Placements",
                    "data": [[r[4], number(r[5])] for i, r in enumerate(rows) if i not in flagged],
                },
                {
                    "label": "Outliers (fee per need point beyond 1.5 interquartile ranges)",
                    "outlier": True,
                    "data": [[r[4], number(r[5])] for i, r in enumerate(rows) if i in flagged],
                },
            ],
        },
        note="An outlier's fee per need point is more than 1.5 interquartile ranges beyond the "
        "middle half of these placements'.",
    )
    every = len(rows) <= SCATTER_LISTED
    for i, (pk, ref, borough, provider_name, needs, fee) in enumerate(rows):
        outlier = "Yes" if i in flagged else "No"
        head = [pk, ref or "–"] + ([borough] if show_borough else [])
        listed = every or i in flagged
        # The fee is stored to the penny, as the CSV shows it; only listed rows are formatted.
        display = (
            [*head, provider_name or "–", needs, figure_display(fee, "pounds"), outlier]
            if listed
            else None
        )
        chart.add(display, [*head, provider_name, needs, fee, outlier], listed=listed)
    if not every:
        chart.note += (
            f" The table lists the {len(flagged):,} outliers of these {len(rows):,} placements; "
            "the CSV has every one."
        )
    missing = Chart(
        name="fee-against-need-left-out",
        title="Current placements left out of the chart",
        columns=["Placement", "Child reference", "Why"],
    )
    if left_out:
        reasons = Counter(reason for _pk, _ref, reason in left_out)
        chart.note += (
            f" It shows {len(rows):,} of the {len(rows) + len(left_out):,} current placements; "
            + "; ".join(f"{n:,} left out with {reason}" for reason, n in sorted(reasons.items()))
            + "."
        )
    for i, (pk, ref, reason) in enumerate(left_out):
        why = f"Left out: {reason}"
        chart_row = [pk, ref or "–", why]
        missing.add(chart_row, [pk, ref, why], listed=i < SCATTER_LISTED)
    if len(left_out) > SCATTER_LISTED:
        missing.note = f"The table lists {SCATTER_LISTED:,} of them; the CSV has every one."
    return [chart, missing]


def cost_avoidance_chart(consortium, scope, scope_id, year_ending=None, quarter=None):
    series = sel.monthly_series(
        consortium,
        ["cost_avoidance"],
        [(scope, scope_id)],
        year_ending=year_ending,
        quarter=quarter,
    )
    values = series.get(("cost_avoidance", scope, scope_id), [])
    chart = Chart(
        name="cost-avoidance",
        title="Cost avoidance, month by month",
        columns=["Month", "Cost avoidance (£)", "To date (£)"],
        kind="bar",
        data={
            "labels": [m.strftime("%b %Y") for m, _v in values],
            "unit": "pounds",
            "datasets": [{"label": "Cost avoidance", "data": [number(v) for _m, v in values]}],
        },
    )
    running = 0
    for month, value in values:
        running += value or 0
        chart.add(
            [
                month_label(month),
                figure_display(value, "pounds"),
                figure_display(running, "pounds"),
            ],
            [month.isoformat(), figure_rounded(value, "pounds"), figure_rounded(running, "pounds")],
        )
    if not values:
        chart.note = "No cost avoidance has been computed yet."
    return chart


QUARTERS = [(1, "April to June"), (2, "July to September")]
QUARTERS += [(3, "October to December"), (4, "January to March")]


class DashboardFilter(forms.Form):
    """What the dashboard narrows to, besides the return year: a quarter of it (the figures
    and trends), a lot and a provider (the placements, and a trend line each)."""

    period = forms.TypedChoiceField(
        label="Period",
        choices=[("", "The whole year"), *QUARTERS],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose the whole year or one of its quarters."},
    )
    lot = forms.ModelChoiceField(
        label="Lot",
        queryset=Lot.objects.none(),
        required=False,
        empty_label="All lots",
        error_messages={"invalid_choice": "Choose a lot from the list."},
    )
    provider = forms.ModelChoiceField(
        label="Provider",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="All providers",
        error_messages={"invalid_choice": "Choose a provider from the list."},
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = sel.lots_for(actor)
        self.fields["provider"].queryset = sel.providers_for(actor)

    def chosen(self, name):
        """The valid choice of `name`, or None (none made, or not valid)."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data[name]
        return None


# --- Pages ------------------------------------------------------------------------------


@actor_required(roles=sel.DASHBOARD_ROLES)
def dashboard(request):
    """The borough commissioner's dashboard, or the consortium admin's."""
    actor = request.actor
    consortium = actor.consortium
    if consortium is None:
        raise PermissionDenied
    filter_form = DashboardFilter(request.GET or None, actor=actor)
    years, status = year_choice(request, consortium)
    if filter_form.is_bound and not filter_form.is_valid():
        status = 400
    year_ending = years.chosen
    quarter, lot, provider = (filter_form.chosen(n) for n in ("period", "lot", "provider"))
    is_admin = actor.is_consortium_admin
    if is_admin:
        scope, scope_id, own_label = Scope.CONSORTIUM, consortium.pk, consortium.name
    else:
        scope, scope_id, own_label = Scope.BOROUGH, actor.organisation.pk, actor.organisation.name
    lines = [(own_label, scope, scope_id)]
    if not is_admin:
        lines.append((f"{consortium.name} (all boroughs)", Scope.CONSORTIUM, consortium.pk))
    if lot is not None:
        lines.append((f"{lot.name} (all boroughs)", Scope.LOT, lot.pk))
    if provider is not None:
        lines.append((f"{provider.name} (all boroughs)", Scope.PROVIDER, provider.pk))
    headlines = headline_rows(
        consortium, scope, scope_id, year_ending, compare=not is_admin, quarter=quarter
    )
    compared = None if is_admin else f"{consortium.name} (all)"
    # The DfE's measures are of the year (children looked after on 31 March): never a quarter.
    dfe = headline_rows(
        consortium, scope, scope_id, year_ending, compare=not is_admin, codes=sel.DFE_FIGURES
    )
    mix = headline_rows(
        consortium,
        scope,
        scope_id,
        year_ending,
        compare=not is_admin,
        codes=[code for code, _group in sel.PLACEMENT_MIX],
    )
    for row, (_code, group) in zip(mix, sel.PLACEMENT_MIX, strict=True):
        row["group"] = group
    distance = headline_rows(
        consortium,
        scope,
        scope_id,
        year_ending,
        compare=not is_admin,
        codes=sel.DISTANCE_FIGURES,
        quarter=quarter,
    )
    dfe_distance = headline_rows(
        consortium,
        scope,
        scope_id,
        year_ending,
        compare=not is_admin,
        codes=sel.DFE_DISTANCE_FIGURES,
    )
    shown = sel.window(year_ending, quarter)
    bands = sel.distance_bands(
        consortium,
        shown.start,
        shown.end,
        boroughs=None if is_admin else [actor.organisation.pk],
        provider=provider,
        lot=lot,
    )
    reasons = sel.unknown_reasons(
        consortium,
        shown.start,
        shown.end,
        boroughs=None if is_admin else [actor.organisation.pk],
        episodes=not (provider or lot),
    )
    charts = [
        figures_chart("headline-figures", "Headline figures", headlines, own_label, compared),
        figures_chart(
            "dfe-figures", "Children looked after: the DfE's measures", dfe, own_label, compared
        ),
        placement_mix_chart(mix, own_label, compared),
        figures_chart(
            "distance-figures", "Distance from home: through the DPS", distance, own_label, compared
        ),
        figures_chart(
            "dfe-distance-figures",
            "Distance from home: new placements in the SSDA903 returns",
            dfe_distance,
            own_label,
            compared,
        ),
        distance_chart(bands, "Placements made through the DPS that began in the period"),
        unknown_table(reasons, narrowed=bool(provider or lot)),
        *trend_charts(consortium, lines, year_ending, quarter),
        spend_chart(actor, "lot", provider, lot),
        spend_chart(actor, "provider", provider, lot),
        *scatter_charts(actor, provider, show_borough=is_admin, lot=lot),
        cost_avoidance_chart(consortium, scope, scope_id, year_ending, quarter),
    ]
    chosen = {"period": quarter, "lot": lot.pk if lot else None}
    chosen["provider"] = provider.pk if provider else None
    chosen = {name: value for name, value in chosen.items() if value}
    context = {
        "consortium": consortium,
        "own_label": own_label,
        "is_admin": is_admin,
        "compare": not is_admin,
        "filter_form": filter_form,
        "years": years,
        "year_label": shown.label(timezone.localdate()),
        "whole_year_label": years.label_of(year_ending),
        "quarter": quarter,
        "lot": lot,
        "provider": provider,
        "period_options": options_html(
            [(str(v), label) for v, label in filter_form.fields["period"].choices],
            str(quarter or ""),
        ),
        "lot_options": options_html(
            filter_form.fields["lot"].queryset.values_list("pk", "name"), lot.pk if lot else None
        ),
        "provider_options": options_html(
            filter_form.fields["provider"].queryset.values_list("pk", "name"),
            provider.pk if provider else None,
        ),
        "headlines": headlines,
        "dfe_figures": dfe,
        "distance_figures": distance,
        "dfe_distance_figures": dfe_distance,
        "cost_avoidance": figure_display(
            sel.cost_avoidance_to_date(consortium, scope, scope_id), "pounds"
        ),
        "overdue_visits": sel.overdue_visits(actor),
        "notices": notices_due_summary(actor, timezone.localdate()),
        "uplift_rounds": uplift_rounds_panel(actor),
        # The arrangement's legal deadlines (a legacy DPS's end, an open framework's reopening).
        "arrangement_warnings": arrangement_warnings(arrangement_of(consortium)),
        "csv_query": csv_query({**chosen, "year_ending": year_ending}),
        "all_providers_query": csv_query({"year_ending": year_ending}),
    }
    if is_admin:
        context["borough_table"] = borough_table(consortium, year_ending, quarter)
    return respond(request, "monitoring/dashboards/dashboard.html", context, charts, status)


def uplift_rounds_panel(actor):
    """The consortium's rounds open or recent, each with its cost agreed and asked (over the
    requests the reader may see: the admin all, a commissioner the borough's). Two queries."""
    return [
        {
            "round": round_,
            "requested_weekly": money(cost.requested.weekly),
            "requested_year": money(cost.requested.to_year_end),
            "agreed_weekly": money(cost.agreed.weekly),
            "agreed_year": money(cost.agreed.to_year_end),
            "year_end": cost.year_end,
        }
        for round_, cost in uplift_rounds_summary(actor, timezone.localdate())
    ]


def csv_query(params):
    """The page's choices, to carry into its CSV links: "a=1&b=2&"."""
    return urlencode(params) + "&" if params else ""


def borough_table(consortium, year_ending, quarter=None):
    boroughs = list(
        Organisation.objects.filter(consortium=consortium, kind=Kind.BOROUGH).order_by("name")
    )
    snaps = sel.year_snapshots(
        consortium, Scope.BOROUGH, [b.pk for b in boroughs], sel.HEADLINE, year_ending, quarter
    )
    infos = [sel.kpi_info(code) for code in sel.HEADLINE]
    return {
        "infos": infos,
        "rows": [
            {
                "borough": b,
                "cells": [
                    {
                        "value": figure(snaps.get((b.pk, i.code)), i),
                        "rag": rag(snaps.get((b.pk, i.code))),
                    }
                    for i in infos
                ],
            }
            for b in boroughs
        ],
    }


def performance_context(actor, provider, consortium, year_ending):
    own = sel.year_snapshots(
        consortium, Scope.PROVIDER, [provider.pk], sel.PROVIDER_KPIS, year_ending
    )
    # The consortium's aggregate is the benchmark every provider is measured against; it
    # names no borough and no other provider.
    compare = True
    whole = (
        sel.year_snapshots(
            consortium, Scope.CONSORTIUM, [consortium.pk], sel.PROVIDER_KPIS, year_ending
        )
        if compare
        else {}
    )
    kpis = []
    for code in sel.PROVIDER_KPIS:
        info = sel.kpi_info(code)
        snap = own.get((provider.pk, code))
        other = whole.get((consortium.pk, code))
        kpis.append(
            {
                "info": info,
                "snapshot": snap,
                "value": figure(snap, info),
                "rag": rag(snap),
                "period": snapshot_label(snap),
                "consortium_snapshot": other,
                "consortium": figure(other, info),
            }
        )
    scores = list(reversed(sel.quality_history(provider, consortium)))
    chart = Chart(
        name="quality-history",
        title="Quality score over time",
        columns=["Computed", "Total", "Inspection", "Outcomes", "Compliance", "Responsiveness"],
        kind="line",
        data={
            "labels": [s.computed_at.strftime("%d %b %Y") for s in scores],
            "unit": "points",
            "datasets": [
                {"label": "Total quality score", "data": [number(s.total) for s in scores]}
            ],
        },
    )
    for s in scores:
        parts = [s.total, s.inspection, s.outcomes, s.compliance, s.responsiveness]
        chart.add(
            [s.computed_at.strftime("%d %B %Y")] + [f"{p:.1f}" for p in parts],
            [s.computed_at.isoformat(), *parts],
        )
    if not scores:
        chart.note = "No quality score has been computed yet."
    trends = trend_charts(
        consortium,
        [(provider.name, Scope.PROVIDER, provider.pk)]
        + (
            [(f"{consortium.name} (all providers)", Scope.CONSORTIUM, consortium.pk)]
            if compare
            else []
        ),
        year_ending,
    )
    year = return_year(year_ending)
    bands = sel.distance_bands(consortium, year.start, year.end, provider=provider)
    distance = distance_chart(bands, f"{provider.name}'s placements made through the DPS")
    figures = figures_chart(
        "provider-kpis",
        "Key performance indicators",
        kpis,
        provider.name,
        f"{consortium.name} (all providers)" if compare else None,
    )
    return {
        "provider": provider,
        "consortium": consortium,
        "compare": compare,
        "kpis": kpis,
        "visits": sel.provider_visits(actor, provider, consortium),
        "plans": sel.provider_plans(actor, provider, consortium),
    }, [figures, chart, distance, *trends]


@actor_required(roles=sel.DASHBOARD_ROLES)
def provider_performance(request, pk):
    actor = request.actor
    consortium = actor.consortium
    provider = get_or_404(sel.providers_for(actor), pk=pk)
    years, status = year_choice(request, consortium)
    context, charts = performance_context(actor, provider, consortium, years.chosen)
    context.update(
        years=years,
        year_label=years.label_of(years.chosen),
        csv_query=csv_query({"year_ending": years.chosen}),
    )
    return respond(request, "monitoring/dashboards/performance.html", context, charts, status)


class ConsortiumChoice(forms.Form):
    consortium = forms.ModelChoiceField(queryset=Organisation.objects.none(), empty_label=None)

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consortium"].queryset = sel.provider_consortia(provider)


@actor_required(kinds={Kind.PROVIDER}, roles=sel.PROVIDER_ROLES)
def own_performance(request):
    actor = request.actor
    provider = actor.organisation
    choice = ConsortiumChoice(
        request.GET if "consortium" in request.GET else None, provider=provider
    )
    consortia = list(choice.fields["consortium"].queryset)
    status = 200
    consortium = consortia[0] if consortia else None
    if choice.is_bound:
        if choice.is_valid():
            consortium = choice.cleaned_data["consortium"]
        else:
            status = 400
    if consortium is None:
        return render(
            request,
            "monitoring/dashboards/performance.html",
            {"provider": provider, "not_enrolled": True},
        )
    years, year_status = year_choice(request, consortium)
    status = max(status, year_status)
    context, charts = performance_context(actor, provider, consortium, years.chosen)
    query = {"consortium": consortium.pk} if len(consortia) > 1 else {}
    context.update(
        choice=choice if len(consortia) > 1 else None,
        years=years,
        year_label=years.label_of(years.chosen),
        csv_query=csv_query({**query, "year_ending": years.chosen}),
    )
    return respond(request, "monitoring/dashboards/performance.html", context, charts, status)


@actor_required(roles=sel.DASHBOARD_ROLES)
def market_position(request):
    actor = request.actor
    demand = sel.market_demand(actor)
    supply = sel.market_supply(actor)
    gaps = sel.market_gaps(demand, supply)
    gap_chart = Chart(
        name="market-gaps",
        title="Children waiting and placed against vacancies and places, by lot",
        columns=[
            "Lot",
            "Open requests",
            "Vacancies",
            "Current placements",
            "Registered places",
            "Gap (requests beyond vacancies)",
        ],
        kind="bar",
        data={
            "labels": [g["lot"] for g in gaps],
            "unit": "count",
            "datasets": [
                {"label": "Open requests", "data": [g["requests"] for g in gaps]},
                {"label": "Vacancies", "data": [g["vacancies"] for g in gaps]},
            ],
        },
    )
    for g in gaps:
        gap_chart.add(
            [g["lot"], g["requests"], g["vacancies"], g["placements"], g["places"], g["gap"]]
        )
    demand_table = Chart(
        name="market-needs",
        title="Needs of open requests and current placements, by lot and placing borough",
        columns=["Lot", "Borough", "Open requests", "Current placements", *sel.NEED_LABELS],
    )
    for row in demand:
        demand_table.add(
            [row["lot"], row["area"], row["requests"], row["placements"], *row["needs_list"]]
        )
    supply_table = Chart(
        name="market-capacity",
        title="Enrolled capacity by lot and local authority",
        columns=["Lot", "Local authority", "Services", "Registered places", "Vacancies"],
    )
    for lot, area, services, places, vacancies in supply:
        supply_table.add([lot, area or "Not given", services, places or 0, vacancies or 0])
    context = {"is_admin": actor.is_consortium_admin, "consortium": actor.consortium}
    return respond(
        request,
        "monitoring/dashboards/market.html",
        context,
        [gap_chart, demand_table, supply_table, council_table(actor)],
    )


def council_table(actor):
    """Demand and capacity by local authority: where the children come from, how many of them
    are placed more than 20 miles away, and what capacity there is in their area."""
    table = Chart(
        name="market-councils",
        title="Demand and capacity by local authority",
        columns=[
            "Local authority",
            "Open requests (home here)",
            "Current placements (home here)",
            "Of these, more than 20 miles from home",
            "Share more than 20 miles from home (%)",
            "Of these, distance unknown",
            "Current placements made here",
            "Active services here",
            "Registered places",
            "Vacancies",
        ],
    )
    for row in sel.market_by_council(actor):
        share = figure_rounded(row.far_share, "percent")
        counts = [row.requests, row.placed_from, row.placed_far]
        after = [row.distance_unknown, row.placed_in, row.services, row.places, row.vacancies]
        table.add(
            [row.name, *counts, figure_display(share, "percent"), *after],
            [row.name, *counts, share, *after],
        )
    return table
