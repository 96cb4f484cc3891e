"""Imports every model, so that the metadata (and Alembic) sees the whole schema."""

from tracker.plans.models import (
    Action, Agreement, Area, DivisionStatus, Indicator, IndicatorValue, Plan, PlanContact, PlanVersion, SuccessFactor,
)
from tracker.followup.models import ReportingRound, RoundConfirmation
from tracker.history.models import HistoryEntry, HistoryHead
from tracker.security.models import SecurityEvent
from tracker.users.models import Division, User, UserSession
from tracker.xlsx.models import Export, StagedUpload
from tracker.reports.models import (
    Report, ReportBundle, ReportContactRow, ReportContribution, ReportItem, ReportQuestion, ReportSection, ReportSending,
)

__all__ = [
    "Action", "Agreement", "Area", "Division", "DivisionStatus", "Export", "HistoryEntry", "HistoryHead", "Indicator",
    "IndicatorValue", "Plan", "PlanContact", "PlanVersion", "Report", "ReportBundle", "ReportContactRow",
    "ReportContribution", "ReportItem", "ReportQuestion", "ReportSection", "ReportSending", "ReportingRound", "RoundConfirmation", "SecurityEvent",
    "StagedUpload", "SuccessFactor", "User", "UserSession",
]
