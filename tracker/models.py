"""Imports every model, so that the metadata (and Alembic) sees the whole schema."""

from tracker.plans.models import (
    Action, Agreement, Area, DivisionStatus, Indicator, IndicatorValue, Plan, PlanContact, PlanVersion, SuccessFactor,
)
from tracker.followup.models import ReportingRound, RoundConfirmation
from tracker.history.models import HistoryEntry, HistoryHead
from tracker.notify.models import Notification
from tracker.security.models import SecurityEvent
from tracker.users.models import Division, User, UserSession
from tracker.xlsx.models import Export, StagedUpload

__all__ = [
    "Action", "Agreement", "Area", "Division", "DivisionStatus", "Export", "HistoryEntry", "HistoryHead", "Indicator",
    "IndicatorValue", "Notification", "Plan", "PlanContact", "PlanVersion", "ReportingRound", "RoundConfirmation", "SecurityEvent",
    "StagedUpload", "SuccessFactor", "User", "UserSession",
]
