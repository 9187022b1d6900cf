"""Small-cell suppression for the impact report, with complementary suppression.

A cell that counts fewer than ``threshold`` people is never shown (primary suppression). That
alone is not enough when totals are shown beside their parts: a total less the visible parts
gives back the one hidden part. So wherever a shown total has exactly one hidden part, another
part is hidden too (the smallest non-empty one), or, when no part is left to hide, the total
itself; this repeats until no shown total has a single hidden part (secondary suppression, the
usual heuristic of statistical offices). Empty cells (no one) stay shown: they reveal nobody.

The cells form a cube with margins: every dimension has the value :data:`ALL`, and a cell with
``ALL`` in some dimension is the sum of the cells with each value there.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

ALL = "all"
Key = tuple[Hashable, ...]


def relations(keys: Iterable[Key], values: Sequence[Sequence[Hashable]], fixed: int = 0) -> list[tuple[Key, list[Key]]]:
    """(total, parts) for every margin cell in ``keys``.

    ``values[d]`` lists the values dimension ``fixed + d`` takes besides ``ALL``; the first
    ``fixed`` coordinates of a key (e.g. the currency) are never summed over.
    """
    found = []
    for key in keys:
        for d, choices in enumerate(values):
            position = fixed + d
            if key[position] != ALL:
                continue
            found.append((key, [key[:position] + (value,) + key[position + 1 :] for value in choices]))
    return found


def suppress(people: dict[Key, int], amounts: dict[Key, int], links: list[tuple[Key, list[Key]]],
             threshold: int) -> set[Key]:
    """The keys to hide: those counting 1 to ``threshold - 1`` people, and their complements.

    Keys missing from ``people`` count nobody.
    """
    hidden = {key for key, count in people.items() if 0 < count < threshold}
    changed = True
    while changed:
        changed = False
        for total, parts in links:
            if total in hidden or sum(1 for part in parts if part in hidden) != 1:
                continue
            candidates = [part for part in parts if part not in hidden and people.get(part, 0) > 0]
            if candidates:
                hidden.add(min(candidates, key=lambda part: (people[part], amounts.get(part, 0), str(part))))
            else:
                hidden.add(total)
            changed = True
    return hidden
