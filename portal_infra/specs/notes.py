"""What pull could not express, gathered while it reads and said twice: on stderr and as comments at
the top of the written stack file. One line per kind of thing, naming the objects it concerns (a
few, then a count), so a pull of 1000 accounts stays readable."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

_SHOWN = 8


@dataclass
class Notes:
    _by_kind: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, kind: str, subject: str) -> None:
        """`kind`: what could not be expressed and what to do about it; `subject`: which object."""
        self._by_kind[kind].append(subject)

    def extend(self, other: Notes) -> None:
        for kind, subjects in other._by_kind.items():
            self._by_kind[kind].extend(subjects)

    def __bool__(self) -> bool:
        return bool(self._by_kind)

    def kinds(self) -> list[str]:
        return list(self._by_kind)

    def subjects(self, kind: str) -> list[str]:
        return list(self._by_kind.get(kind, []))

    def lines(self) -> list[str]:
        out = []
        for kind, subjects in self._by_kind.items():
            unique = list(dict.fromkeys(subjects))
            shown = ", ".join(unique[:_SHOWN])
            more = f" and {len(unique) - _SHOWN} more" if len(unique) > _SHOWN else ""
            out.append(f"{kind}: {shown}{more}")
        return out
