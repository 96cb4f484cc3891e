"""Mina åtgärder, the page (or its list for htmx): shared by its route and by the follow-up's bulk
"Oförändrad", which answers with the list it changed."""

from flask_login import current_user

from tracker.clock import today
from tracker.followup.rounds import awaited_status_ids, factors_left, my_open_rounds
from tracker.pages import kept_in_place, render_page_or_fragment
from tracker.plans import services


def mine_page(plan_key: str | None, bulk_errors: dict[int, str] | None = None,
              bulk_done: dict[int, str] | None = None) -> str:
    """Mina åtgärder for one plan (or all), the page or its list; `bulk_errors` and `bulk_done` (what the form of
    several confirmed) by round, next to its form."""
    my_plans = services.plans_of_division(current_user.division_id)
    chosen = next((p for p in my_plans if p.key == plan_key), None)
    rounds = [r for r in my_open_rounds(current_user) if chosen is None or r.round.plan_id == chosen.id]
    awaiting = awaited_status_ids(rounds)
    statuses = kept_in_place(services.my_statuses(current_user, today(), plan_id=chosen.id if chosen else None,
                                                  awaiting=awaiting))
    return render_page_or_fragment("followup/mine.html", "followup/_my_list.html", statuses=statuses, rounds=rounds,
                                   awaiting=awaiting, my_plans=my_plans, chosen=chosen,
                                   bulk_errors=bulk_errors or {}, bulk_done=bulk_done or {},
                                   factors_left={r.round.id: factors_left(r, statuses) for r in rounds})
