"""One description of a model's fields: the attribute, its Swedish label, and how a value of it reads.

The history, the version comparison, the import preview and the plan editor read the same description, so a
field is named and shown alike wherever a change to it appears. `diff_log` is indico's `make_diff_log(changes,
fields)`: {field: (old, new)} in, the rows a reader sees out.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from tracker.display import display_value


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    show: Callable[[object], str] = display_value  # given a value that is there; an empty one reads "–"

    def text(self, value) -> str:
        return display_value(value) if value is None or value == "" or value == () else self.show(value)


class Fields:
    """The fields of one model, in the order a reader meets them."""

    def __init__(self, *fields: Field):
        self._fields = fields
        self._by_name = {f.name: f for f in fields}

    def __iter__(self) -> Iterator[Field]:
        return iter(self._fields)

    def __getitem__(self, name: str) -> Field:
        return self._by_name[name]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def only(self, *names: str) -> "Fields":
        return Fields(*(self._by_name[n] for n in names))

    def without(self, *names: str) -> "Fields":
        return Fields(*(f for f in self._fields if f.name not in names))

    def plus(self, *fields: Field) -> "Fields":
        return Fields(*self._fields, *fields)


def changed(old: Mapping, new: Mapping, fields: Fields, same: Callable[[object, object], bool] | None = None) -> dict:
    """{name: (old, new)} for the fields whose values differ (`same` decides; by default equal, or both empty)."""
    same = same or (lambda a, b: (a or None) == (b or None))
    return {f.name: (old.get(f.name), new.get(f.name)) for f in fields if not same(old.get(f.name), new.get(f.name))}


def diff_log(changes: Mapping[str, tuple], fields: Fields) -> list[list[str]]:
    """[[label, before, after], …] in the fields' order, for the changes that read differently."""
    rows = []
    for f in fields:
        if f.name in changes:
            before, after = (f.text(value) for value in changes[f.name])
            if before != after:
                rows.append([f.label, before, after])
    return rows
