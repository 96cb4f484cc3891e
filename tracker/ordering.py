"""Places in a list: the one rule for moving an item up or down and for numbering a list's positions, for every
ordered list of the app (a plan's insatsområden, framgångsfaktorer and åtgärder, a report's sections and
questions). Items have a `position`, counted from 0 in the list's order."""


def renumber(items) -> None:
    """Positions 0, 1, 2 … in the items' order, touching only those that change (an unchanged row is not
    written, and its history records no move)."""
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position


def move(items: list, item, direction: int, *, among=None) -> bool:
    """`item` one place up (-1) or down (+1), swapping places with its neighbour, then `items` renumbered; False
    at either end. `among`: the items it moves among when they are only some of `items` (the framgångsfaktorer
    of one insatsområde among all of the plan's): its neighbour is the next of those, wherever it is in `items`.
    `items` is reordered in place."""
    group = list(among) if among is not None else items
    index = group.index(item)
    other = index + direction
    if not 0 <= other < len(group):
        return False
    here, there = items.index(item), items.index(group[other])
    items[here], items[there] = items[there], items[here]
    renumber(items)
    return True
