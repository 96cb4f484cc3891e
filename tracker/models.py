"""Imports every model, so that the metadata (and Alembic) sees the whole schema."""

from tracker.plans.models import Action, Agreement, Area, DivisionStatus, Plan, SuccessFactor
from tracker.users.models import Division, User

__all__ = ["Action", "Agreement", "Area", "Division", "DivisionStatus", "Plan", "SuccessFactor", "User"]
