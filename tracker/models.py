"""Imports every model, so that the metadata (and Alembic) sees the whole schema, and each domain's
description of what the history records of its rows."""

from tracker.agreements.models import Agreement, AgreementYear, Condition, Decision, Funds
from tracker.strategy.models import Assessment, Goal, Strategy, StrategySection, TargetGroup
from tracker.plans.models import Action, Area, DivisionStatus, FormToken, Plan, SuccessFactor
from tracker.followup.models import Indicator, IndicatorValue, PlanContact, ReportingRound, RoundConfirmation
from tracker.versions.models import Export, PlanVersion
from tracker.history.models import HistoryEntry, HistoryHead
from tracker.notify.models import DeadlineReminder, Notification
from tracker.security.models import SecurityEvent
from tracker.users.models import Division, User, UserSession
from tracker.xlsx.models import StagedUpload
from tracker.reports.models import (
    Report, ReportBundle, ReportContactRow, ReportContribution, ReportItem, ReportQuestion, ReportSection, ReportSending,
)
from tracker.plans import tracking as plans_tracking  # noqa: F401  (registers with the history's recorder)
from tracker.followup import tracking as followup_tracking  # noqa: F401
from tracker.versions import tracking as versions_tracking  # noqa: F401
from tracker.reports import tracking as reports_tracking  # noqa: F401
from tracker.strategy import tracking as strategy_tracking  # noqa: F401
from tracker.agreements import tracking as agreements_tracking  # noqa: F401
from tracker.annual import decision_tracking  # noqa: F401

__all__ = [
    "Action", "Agreement", "AgreementYear", "DeadlineReminder", "Assessment", "Goal", "Strategy", "StrategySection", "TargetGroup", "Condition", "Decision", "Funds", "Area", "Division", "DivisionStatus", "Export", "FormToken", "HistoryEntry", "HistoryHead", "Indicator",
    "IndicatorValue", "Notification", "Plan", "PlanContact", "PlanVersion", "Report", "ReportBundle",
    "ReportContactRow", "ReportContribution", "ReportItem", "ReportQuestion", "ReportSection", "ReportSending",
    "ReportingRound", "RoundConfirmation", "SecurityEvent", "StagedUpload", "SuccessFactor", "User", "UserSession",
]
