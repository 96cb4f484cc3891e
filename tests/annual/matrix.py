"""The agreements' routes as the permission matrices (tests/test_permissions.py, tests/test_read_permissions.py)
and the ownership test post them: each builder makes what its request needs in the matrices' world."""

from tracker.agreements import services as agreements
from tracker.extensions import db

CONDITION_FORM = {"kind": "report", "text": "Redovisningen ska lämnas senast den 30 september 2024.",
                  "deadline": "2024-09-30", "recipient": "Socialstyrelsen", "amount": "1 237 500 000"}


def world_year(world):
    """The agreement's year of the world's plan (Ökad tillgänglighet 2023)."""
    year = agreements.year_of(world["plan"].agreement, world["plan"].year)
    db.session.commit()
    return year


def world_funds(world):
    funds = agreements.add_funds(world_year(world), {"label": "Andra utbetalningen", "amount": "1 237 500 000"})
    db.session.commit()
    return funds


def world_condition(world, fulfilled: bool = False):
    condition = agreements.add_condition(world_year(world), CONDITION_FORM)
    if fulfilled:
        agreements.fulfil(condition, None, fulfilled_on=condition.deadline, note="Inskickad.", expected_version=None)
    db.session.commit()
    return condition


def _condition_request(path: str, data: dict, fulfilled: bool = False):
    def build(world, user=None):
        condition = world_condition(world, fulfilled)
        return f"/overenskommelser/villkor/{condition.id}{path}", {**data, "version": condition.version_id}
    return build


POST = {
    "annual.create_agreement": lambda world, user=None: ("/overenskommelser/ny", {"name": "En ny, uppdaterad kömiljard"}),
    "annual.rename_agreement": lambda world, user=None: (
        f"/overenskommelser/avtal/{world['plan'].agreement_id}/namn", {"name": "Ökad tillgänglighet i vården"}),
    "annual.add_year": lambda world, user=None: (
        f"/overenskommelser/avtal/{world['plan'].agreement_id}/ar", {"year": "2024"}),
    "annual.update_year": lambda world, user=None: (
        f"/overenskommelser/{world_year(world).id}/uppgifter",
        {"registry_number": "S2023/03567", "version": world_year(world).version_id}),
    "annual.add_funds": lambda world, user=None: (
        f"/overenskommelser/{world_year(world).id}/medel", {"label": "Andra utbetalningen", "amount": "1 000"}),
    "annual.update_funds": lambda world, user=None: (
        f"/overenskommelser/medel/{world_funds(world).id}", {"label": "Andra utbetalningen", "amount": "1"}),
    "annual.delete_funds": lambda world, user=None: (f"/overenskommelser/medel/{world_funds(world).id}/ta-bort", {}),
    "annual.add_condition": lambda world, user=None: (
        f"/overenskommelser/{world_year(world).id}/villkor", CONDITION_FORM),
    "annual.update_condition": _condition_request("", {**CONDITION_FORM, "deadline": "2024-10-15"}),
    "annual.delete_condition": _condition_request("/ta-bort", {}),
    "annual.fulfil": _condition_request("/uppfyllt", {"fulfilled_on": "2024-01-10", "note": "Inskickad."}),
    "annual.undo_fulfilment": _condition_request("/ej-uppfyllt", {}, fulfilled=True),
    "annual.next_year": lambda world, user=None: (f"/overenskommelser/{world_year(world).id}/nytt-ar", {}),
}

GET = {
    "annual.index": lambda world: "/overenskommelser",
    "annual.show_year": lambda world: f"/overenskommelser/{world_year(world).id}",
    "annual.wheel": lambda world: "/arshjul",
}

# The routes with an id in their address (tests/test_ownership.py)
ID_ROUTES = {("POST", "annual.rename_agreement"), ("POST", "annual.add_year"), ("GET", "annual.show_year"),
             ("POST", "annual.update_year"), ("POST", "annual.add_funds"), ("POST", "annual.update_funds"),
             ("POST", "annual.delete_funds"), ("POST", "annual.add_condition"), ("POST", "annual.update_condition"),
             ("POST", "annual.delete_condition"), ("POST", "annual.fulfil"), ("POST", "annual.undo_fulfilment"),
             ("POST", "annual.next_year")}
# Those whose id names the object alone; annual.fulfil has its case of another year's evidence.
ALONE = {endpoint for _, endpoint in ID_ROUTES} - {"annual.fulfil"}


def bundle_of_another_year(world, sent_report):
    """A villkor of Ökad tillgänglighet 2023 (the world's plan) fulfilled with the bundle of the 2024 report."""
    report = sent_report(world, "sent")
    condition = world_condition(world)
    return "POST", f"/overenskommelser/villkor/{condition.id}/uppfyllt", {
        "evidence": f"bundle:{report.sendings[0].bundle_id}", "version": condition.version_id}
