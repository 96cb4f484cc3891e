"""Imports every model, so that the metadata (and Alembic) sees the whole schema, and each domain's
description of what the history records of its rows."""

from tracker.agreements.models import Agreement, AgreementYear, Condition, Decision, Funds
from tracker.plans.models import Action, Area, DivisionStatus, FormToken, Plan, SuccessFactor
from tracker.followup.models import Indicator, IndicatorValue, PlanContact, ReportingRound, RoundConfirmation
from tracker.versions.models import PlanVersion
from tracker.history.models import HistoryEntry, HistoryHead
from tracker.notify.models import Notification
from tracker.security.models import SecurityEvent
from tracker.users.models import Division, User, UserSession
from tracker.xlsx.models import Export, StagedUpload
from tracker.reports.models import (
    Report, ReportBundle, ReportContactRow, ReportContribution, ReportItem, ReportQuestion, ReportSection, ReportSending,
)
from tracker.plans import tracking as plans_tracking  # noqa: F401  (registers with the history's recorder)
from tracker.followup import tracking as followup_tracking  # noqa: F401
from tracker.xlsx import tracking as xlsx_tracking  # noqa: F401
from tracker.reports import tracking as reports_tracking  # noqa: F401
from tracker.annual import decision_tracking  # noqa: F401

__all__ = [
    "Action", "Agreement", "AgreementYear", "Condition", "Decision", "Funds", "Area", "Division", "DivisionStatus", "Export", "FormToken", "HistoryEntry", "HistoryHead", "Indicator",
    "IndicatorValue", "Notification", "Plan", "PlanContact", "PlanVersion", "Report", "ReportBundle",
    "ReportContactRow", "ReportContribution", "ReportItem", "ReportQuestion", "ReportSection", "ReportSending",
    "ReportingRound", "RoundConfirmation", "SecurityEvent", "StagedUpload", "SuccessFactor", "User", "UserSession",
]
