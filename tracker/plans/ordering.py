"""Which items of a reordered list moved, as a person sees it.

When one item is moved, the others change their numbers too, but nobody moved them. Of the items in both
the old and the new list, those that keep their order among themselves (the largest such set) stayed; the
rest moved. The import's preview and the history use this one rule, so that what the preview announces is
what the history records.
"""

from collections.abc import Hashable, Iterable, Sequence

MOVED = "moved_by_user"  # session.info key: the items moved up or down in the coming flush


def mark_moved(session, item) -> None:
    """`item` is the one the user moved (its neighbour only made room)."""
    session.info.setdefault(MOVED, set()).add(item)


def moves(old: Sequence[Hashable], new: Sequence[Hashable], *, moved: Iterable[Hashable] = ()) -> dict:
    """{item: (old place, new place)} for the items that moved, places counted from 1 in each list.

    Items only in one list (added, removed, or moved to another list) are not places that moved.
    `moved` names items known to have been moved (the one the user moved up or down): where two choices are
    equally small (two neighbours swapped), those are the ones that moved. Otherwise an item still at its
    old place is preferred as one that stayed.
    """
    old_place = {item: place for place, item in enumerate(old, start=1)}
    new_place = {item: place for place, item in enumerate(new, start=1)}
    common = [item for item in new if item in old_place]
    forced = set(moved)
    stayed = _heaviest_increasing(common, old_place, new_place, forced)
    return {item: (old_place[item], new_place[item]) for item in common if item not in stayed}


def _heaviest_increasing(items: list, old_place: dict, new_place: dict, forced: set) -> set:
    """The heaviest subsequence of `items` (in new order) whose old places increase; a Fenwick tree of
    prefix maxima keeps it O(n log n) for a plan of thousands of åtgärder."""
    size = len(old_place)
    tree = [(0, -1)] * (size + 1)  # (weight of the best chain ending at or below this old place, its last index)

    def best_below(place: int) -> tuple[int, int]:
        best, i = (0, -1), place - 1
        while i > 0:
            best = max(best, tree[i])
            i -= i & -i
        return best

    def offer(place: int, value: tuple[int, int]) -> None:
        i = place
        while i <= size:
            tree[i] = max(tree[i], value)
            i += i & -i

    previous, weights = [-1] * len(items), [0] * len(items)
    for index, item in enumerate(items):
        if item in forced:
            continue
        place = old_place[item]
        below_weight, below_index = best_below(place)
        weights[index] = below_weight + (3 if place == new_place[item] else 2)
        previous[index] = below_index
        offer(place, (weights[index], index))
    if not items or max(weights) == 0:
        return set()
    index = max(range(len(items)), key=lambda i: (weights[i], i))
    stayed = set()
    while index >= 0:
        stayed.add(items[index])
        index = previous[index]
    return stayed
