"""Small charts drawn on the server as SVG: nothing is loaded from outside, and the numbers are text too."""

from dataclasses import dataclass

from tracker.vocabulary import Status

STATUS_ORDER = [Status.DONE, Status.IN_PROGRESS, Status.DELAYED, Status.NOT_STARTED, Status.CANCELLED]


@dataclass(frozen=True)
class Trend:
    width: int
    height: int
    points: str  # "x,y x,y …" for the polyline
    dots: list[tuple[float, float]]
    target_y: float | None


def trend(values: list[float], target: float | None, width: int = 220, height: int = 56, pad: int = 6) -> Trend | None:
    """The indicator's values over its periods, and the målvärde as a line."""
    if not values:
        return None
    low = min(values + ([target] if target is not None else []))
    high = max(values + ([target] if target is not None else []))
    span = (high - low) or 1

    def y(v):
        return round(height - pad - (v - low) / span * (height - 2 * pad), 1)

    step = (width - 2 * pad) / max(len(values) - 1, 1)
    dots = [(round(pad + i * step, 1), y(v)) for i, v in enumerate(values)]
    return Trend(width, height, " ".join(f"{x},{yy}" for x, yy in dots), dots,
                 y(target) if target is not None else None)


@dataclass(frozen=True)
class Segment:
    status: Status
    count: int
    x: float
    width: float


def stacked(counts, width: int = 320) -> list[Segment]:
    """One bar: a segment per status, in a fixed order, as wide as its share."""
    total = sum(counts.values()) or 1
    segments, x = [], 0.0
    for status in STATUS_ORDER:
        count = counts.get(status, 0)
        if count:
            w = round(count / total * width, 1)
            segments.append(Segment(status, count, round(x, 1), w))
            x += w
    return segments
