"""API views of invoices, and their routes (included by finance/api/urls.py).

A provider's systems (and people) send invoices and read their own, each line with its match
to the schedule and the borough's decision; the borough's finance officers read the borough's
and approve, query or reject lines; its commissioners read. Sending the same invoice number
again with the same lines gives the invoice already made (200), as does a retry with the same
Idempotency-Key header (dps.api.idempotency)."""

import django_filters
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from dps.models import Organisation
from dps.services import DomainError
from dps.tenancy import get_actor
from placements.api.common import status_field

from ..access import (
    get_invoice_for_actor,
    get_invoice_line_for_actor,
    invoices_visible_to,
    may_decide_invoices,
    may_read_invoices,
    may_submit_invoices,
)
from ..models import Invoice, InvoiceLine
from ..selectors.billing import BillingPeriod
from ..services.invoices import InvoiceProblems, invoice_line_decide, invoice_submit


class MayReadInvoices(permissions.BasePermission):
    message = "Invoices are for providers and the borough's finance officers and commissioners."

    def has_permission(self, request, view):
        return may_read_invoices(get_actor(request))


class InvoiceLineSerializer(serializers.ModelSerializer):
    child_reference = serializers.CharField(source="placement.child_reference", read_only=True)
    match = status_field(InvoiceLine.Match.choices)
    status = status_field(InvoiceLine.Status.choices)
    difference = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        help_text="The amount above the schedule's (negative: below it).",
    )

    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "placement",
            "child_reference",
            "days",
            "amount",
            "expected_days",
            "expected_amount",
            "difference",
            "match",
            "status",
            "reason",
            "provider_note",
            "decided_at",
        ]


class InvoiceSerializer(serializers.ModelSerializer):
    status = status_field(Invoice.Status.choices)
    source = status_field(Invoice.Source.choices)
    period_label = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "provider",
            "borough",
            "period_start",
            "period_end",
            "period_label",
            "status",
            "source",
            "submitted_at",
        ]

    def get_period_label(self, invoice) -> str:
        return BillingPeriod(invoice.period_start, invoice.period_end).label


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "lines"]


class LineInput(serializers.Serializer):
    placement = serializers.IntegerField(help_text="The placement's id.")
    days = serializers.IntegerField(min_value=0)
    amount = serializers.DecimalField(max_digits=11, decimal_places=2, min_value=0)


class InvoiceInput(serializers.Serializer):
    borough = serializers.IntegerField(help_text="The id of the borough invoiced.")
    period_start = serializers.DateField(help_text="The first day of the borough's period.")
    number = serializers.CharField(max_length=40, help_text="Your invoice number.")
    lines = LineInput(many=True, allow_empty=False)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(help_text="Why: the provider reads it.")


class InvoiceFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Invoice.Status.choices)

    class Meta:
        model = Invoice
        fields = ["status"]


PERMISSIONS = [*APIView.permission_classes, MayReadInvoices]


class InvoiceList(generics.ListAPIView):
    serializer_class = InvoiceSerializer
    permission_classes = PERMISSIONS
    filterset_class = InvoiceFilter

    def get_queryset(self):
        return invoices_visible_to(get_actor(self.request))

    @extend_schema(summary="Your invoices (a provider's own; a borough's to it)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=InvoiceInput,
        responses={201: InvoiceDetailSerializer, 200: InvoiceDetailSerializer},
        summary="Send an invoice for one billing period (the same number and lines again: "
        "the same invoice, 200)",
    )
    def post(self, request):
        actor = get_actor(request)
        if not may_submit_invoices(actor):
            raise PermissionDenied(
                "Only a provider's admins, bidders and systems can send invoices."
            )
        data = InvoiceInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        borough = Organisation.objects.filter(
            pk=values["borough"], kind=Organisation.Kind.BOROUGH
        ).first()
        if borough is None:
            raise DomainError("There is no such borough.", "borough")
        existed = Invoice.objects.filter(
            provider=actor.organisation, borough=borough, number=values["number"].strip()
        ).exists()
        try:
            invoice = invoice_submit(
                actor=actor,
                borough=borough,
                period_start=values["period_start"],
                number=values["number"],
                lines=values["lines"],
                source=Invoice.Source.API,
            )
        except InvoiceProblems as exc:
            raise ValidationError({"lines": exc.problems}) from exc
        return Response(
            InvoiceDetailSerializer(invoice).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


@extend_schema(summary="One invoice, with its lines and their match to the schedule")
class InvoiceDetail(generics.RetrieveAPIView):
    serializer_class = InvoiceDetailSerializer
    permission_classes = PERMISSIONS

    def get_queryset(self):
        return invoices_visible_to(get_actor(self.request)).prefetch_related("lines__placement")


class LineDecision(APIView):
    """Approve, query or reject one line (the borough's finance officers)."""

    permission_classes = PERMISSIONS
    decision = "approve"

    def post(self, request, pk, line_pk):
        actor = get_actor(request)
        line = get_invoice_line_for_actor(actor, pk, line_pk)
        if not may_decide_invoices(actor):
            raise PermissionDenied("Only the borough's finance officers can decide invoices.")
        reason = ""
        if self.decision != "approve":
            data = ReasonInput(data=request.data)
            data.is_valid(raise_exception=True)
            reason = data.validated_data["reason"]
        invoice_line_decide(actor=actor, line=line, decision=self.decision, reason=reason)
        invoice = get_invoice_for_actor(actor, pk)
        return Response(InvoiceDetailSerializer(invoice).data)


class LineApprove(LineDecision):
    decision = "approve"

    @extend_schema(request=None, responses=InvoiceDetailSerializer, summary="Approve a line")
    def post(self, request, pk, line_pk):
        return super().post(request, pk, line_pk)


class LineQuery(LineDecision):
    decision = "query"

    @extend_schema(request=ReasonInput, responses=InvoiceDetailSerializer, summary="Query a line")
    def post(self, request, pk, line_pk):
        return super().post(request, pk, line_pk)


class LineReject(LineDecision):
    decision = "reject"

    @extend_schema(request=ReasonInput, responses=InvoiceDetailSerializer, summary="Reject a line")
    def post(self, request, pk, line_pk):
        return super().post(request, pk, line_pk)


LINE = "invoices/<int:pk>/lines/<int:line_pk>"
urlpatterns = [
    path("invoices/", InvoiceList.as_view(), name="invoices"),
    path("invoices/<int:pk>/", InvoiceDetail.as_view(), name="invoice"),
    path(f"{LINE}/approve/", LineApprove.as_view(), name="invoice-line-approve"),
    path(f"{LINE}/query/", LineQuery.as_view(), name="invoice-line-query"),
    path(f"{LINE}/reject/", LineReject.as_view(), name="invoice-line-reject"),
]
