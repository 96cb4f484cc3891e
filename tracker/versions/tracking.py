"""What the history records of the exports: that one was made, and that one was sent."""

from tracker.fields import Field, Fields
from tracker.history import recorder
from tracker.history.recorder import Tracked
from tracker.versions.models import Export

EXPORT = Fields(Field("sent_at", "Skickad till Socialstyrelsen"))


def _summary(export: Export, verb: str, changes: list) -> str:
    if verb == "created":
        return f"exporterade planen till Excel ({export.file_name})"
    return f"markerade {export.file_name} som skickad till Socialstyrelsen"


recorder.track(Export, Tracked("export", EXPORT, _summary, lambda export: export.plan_id, lists_values=False), "Export")
