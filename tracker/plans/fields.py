"""The fields of a plan's rows, as every reader of a change names and shows them: the history, the version
comparison, the import preview and the editor (`tracker.fields`)."""

from tracker.fields import Field, Fields


def _named(attribute: str):
    """A row shows as its heading or title; a snapshot or a file already names it."""
    return lambda value: value if isinstance(value, str) else getattr(value, attribute, value)  # str has .title


PLAN = Fields(Field("title", "Titel"), Field("agreement", "Överenskommelse", show=_named("name")), Field("year", "År"),
              Field("registry_number", "Diarienummer"), Field("archived_at", "Arkiverad"))
AREA = Fields(Field("code", "Kod"), Field("title", "Rubrik"), Field("position", "Plats"))
FACTOR = Fields(Field("title", "Rubrik"), Field("description", "Beskrivning"),
                Field("area", "Insatsområde", show=_named("heading")), Field("position", "Plats"))
ACTION = Fields(
    Field("ref", "ID"), Field("title", "Rubrik"), Field("description", "Beskrivning"),
    Field("expected_result", "Mål/förväntat resultat"), Field("horizon", "Tidshorisont"), Field("start_date", "Start"),
    Field("due_date", "Klart senast"), Field("owner", "Ansvarig"),
    Field("factor", "Framgångsfaktor", show=_named("title")), Field("position", "Plats"),
)
# The responsible förvaltningar are the åtgärd's status rows, not a column: a snapshot lists them by name.
DIVISIONS = Field("divisions", "Ansvariga förvaltningar")
STATUS = Fields(Field("status", "Status"), Field("comment", "Kommentar"))
