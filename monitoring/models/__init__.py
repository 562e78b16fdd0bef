"""What happens after an award: placement reviews and fee changes, monitoring visits, KPI
snapshots and their thresholds, corrective action plans, and the reports sent to commissioners."""

from .kpis import KpiRun, KpiSnapshot, KpiThreshold
from .lifecycle import EducationStatus, PlacementReview
from .plans import CorrectiveAction, CorrectiveActionPlan
from .reports import Report, ReportSubscription
from .ssda903 import CareEpisode, Ssda903Issue, Ssda903Return
from .visits import MonitoringVisit, Rag

__all__ = [
    "CareEpisode",
    "CorrectiveAction",
    "CorrectiveActionPlan",
    "EducationStatus",
    "KpiRun",
    "KpiSnapshot",
    "KpiThreshold",
    "MonitoringVisit",
    "PlacementReview",
    "Rag",
    "Report",
    "ReportSubscription",
    "Ssda903Issue",
    "Ssda903Return",
]
