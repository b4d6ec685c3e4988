"""The people of a loaded campaign, kept as small records rather than models.

A province's roster has 300,000 people; as validated `Person` models they took ~1.2 KB each
(the model's field set alone 728 B) and 670 MB with the rest of the load. A `PersonRecord` is a
named tuple of the same attributes (`p.id`, `p.unit`, `p.cadre`, …) with the strings that repeat
from row to row (组织, 身份, 职务) shared, ~0.2 KB a person. Every record comes from a validated
`Person`: the model stays the one definition of what a person may be.
"""

from __future__ import annotations

from typing import NamedTuple

from .models import Person


class PersonRecord(NamedTuple):
    id: str
    name: str
    unit: str
    role: str = "党员"
    cadre: bool = False
    position: str | None = None
    birth_year: int | None = None


class Interner(dict):
    """Equal strings made one object: `shared(text)` is the first equal string it was given."""

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        return self.setdefault(text, text)


def record(person: Person, shared: Interner) -> PersonRecord:
    """The record of a validated person, its repeating strings shared through `shared`."""
    return PersonRecord(
        person.id,
        person.name,
        shared(person.unit),
        shared(person.role),
        person.cadre,
        shared(person.position),
        person.birth_year,
    )


def records(people: list[Person]) -> list[PersonRecord]:
    """Records of validated people (an inline `people:` list), in order."""
    shared = Interner()
    return [record(p, shared) for p in people]
