"""What views share when they answer: a page or the fragment htmx asked for, where to go next, query dates.

The bottom of the web layer: it knows Flask and htmx, and nothing of the domains.
"""

import json
from datetime import date
from urllib.parse import urlsplit

from flask import abort, flash, get_flashed_messages, redirect, render_template, request, url_for

from tracker.extensions import htmx
from tracker.parsing import whole_number


def is_htmx() -> bool:
    """True for a request that htmx made to swap part of a page: not a boosted page load, and not Back to a
    page its history cache no longer holds (htmx then puts the answer in <body>: it needs the whole page)."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_fragment(page_template: str, fragment_template: str, **context) -> str:
    """The full page for a normal request; for htmx, only the fragment the page includes."""
    return render_template(fragment_template if is_htmx() else page_template, **context)


def safe_next(target: str | None) -> str:
    """Where to go after a form: only a path on this site, never another host."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("plans.index")


# Flash categories shown at their place on the page, not in the messages at its top.
SAVED = "saved"
REFUSED = "refused"
KEPT_PLACE = "kept-place"


def top_messages() -> list[tuple[str, str]]:
    """Template global: the flashed messages (category, text) for the top of the page."""
    return [(category, message) for category, message in get_flashed_messages(with_categories=True)
            if category not in (SAVED, REFUSED, KEPT_PLACE)]


def redirect_to_saved(target: str | None, element_id: str, anchor: str | None = None):
    """Back to the page a form without JavaScript was posted from (`target`, its `next`), scrolled to the saved
    element (or to `anchor`, around it), which then says "Sparat" (`saved_here`)."""
    flash(element_id, SAVED)
    return redirect(f"{safe_next(target)}#{anchor or element_id}")


def keep_place(record_id: int, position) -> None:
    """The list a form without JavaScript returns to shows the record saved where it stood (`position`, its index
    on the page the form was on), as htmx leaves it in place; a later load orders the list as usual."""
    if (place := whole_number(position, 0, 10_000)) is not None:
        flash(f"{record_id}:{place}", KEPT_PLACE)


def kept_in_place(records: list) -> list:
    """`records` with the one saved just before (keep_place) moved back to where it stood."""
    for kept in get_flashed_messages(category_filter=[KEPT_PLACE]):
        record_id, place = (int(part) for part in kept.split(":"))
        moved = next((r for r in records if r.id == record_id), None)
        if moved is not None:
            records = [r for r in records if r is not moved]
            records.insert(min(place, len(records)), moved)
    return records


def saved_here(element_id: str) -> bool:
    """Template global: the element saved by the form posted just before this page (`redirect_to_saved`)."""
    return element_id in get_flashed_messages(category_filter=[SAVED])


def redirect_refused(url: str, errors: dict[str, str], anchor: str = ""):
    """Post/Redirect/Get for a form refused without JavaScript: back to the page's own address (`url`), where
    `refused_here` gives the messages and what was posted. The address bar then holds no POST-only URL, and
    reloading the page shows it as it is, asking nothing again."""
    posted = {name: value for name, value in request.form.items() if name not in ("csrf_token", "seen")}
    flash(json.dumps({"path": url, "errors": errors, "form": posted}), REFUSED)
    return redirect(url + anchor)


def refused_here() -> tuple[dict[str, str], dict[str, str]]:
    """The messages and the posted form that `redirect_refused` left for this page; nothing elsewhere. Read once,
    like any flashed message: the next page shows no more of it."""
    for message in get_flashed_messages(category_filter=[REFUSED]):
        refused = json.loads(message)
        if refused["path"] == request.path:
            return refused["errors"], refused["form"]
    return {}, {}


def date_arg(name: str, label: str, notices: list[str]) -> date | None:
    """A date from the query string; one that is not a date is dropped, with a notice that says so."""
    text = request.args.get(name, "").strip()
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        notices.append(f"”{text[:20]}” är inget datum ({label}, ÅÅÅÅ-MM-DD); det filtret togs bort.")
        return None


def date_range_args(notices: list[str]) -> tuple[date | None, date | None]:
    """A filter's dates (fran, till) from the query string; a range that cannot match anything says so."""
    date_from, date_to = date_arg("fran", "från", notices), date_arg("till", "till", notices)
    if date_from and date_to and date_from > date_to:
        notices.append(f"Från-datumet {date_from} ligger efter till-datumet {date_to}: inget kan matcha.")
    return date_from, date_to


def next_url() -> dict:
    """Template context: where a form without JavaScript returns to, the page it was posted from."""
    return {"next_url": safe_next(request.form.get("next")) if request.method == "POST" else request.full_path}


def posted_seen() -> str:
    """The fingerprint of what the page showed (tracker/seen.py), which a decision's form must carry."""
    seen = request.form.get("seen", "").strip()
    if not seen:
        abort(400, "Formuläret saknar uppgift om vad sidan visade, så beslutet kan inte knytas till det du såg. "
                   "Ladda om sidan och försök igen.")
    return seen
