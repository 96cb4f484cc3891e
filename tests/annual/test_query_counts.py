"""/overenskommelser, a year's page and årshjulet read with as many queries at 50 agreements as at 5 (each with
its years, villkor fulfilled and not, medel, plans and reports), like the pages in tests/test_query_counts.py."""

from datetime import date

import sqlalchemy as sa

from tests.annual.helpers import sent_report
from tests.factories import queries_of
from tracker.agreements import services as agreements
from tracker.agreements.models import Agreement
from tracker.clock import today
from tracker.extensions import db
from tracker.vocabulary import Role


def agreements_with_years(numbers, strateg):
    """Agreements named by `numbers`, each with two years, each year three villkor (one fulfilled, one late)
    and a part of its medel."""
    rows = []
    this_year = today().year
    for n in numbers:
        agreement = agreements.create_agreement(f"Överenskommelse nummer {n}")
        for year in (this_year - 1, this_year):
            row = agreements.year_of(agreement, year)
            agreements.add_funds(row, {"label": f"Block {n}", "amount": "1 000 000"})
            for month, text in ((1, "Nulägesrapport"), (6, "Redovisning"), (12, "Slutrapport")):
                agreements.add_condition(row, {"kind": "document", "text": f"{text} {n}",
                                               "deadline": date(year, month, 1).isoformat()})
            agreements.fulfil(row.conditions[0], strateg, fulfilled_on=date(year, 1, 1), note="Klart.",
                              expected_version=None)
            rows.append(row)
    db.session.commit()
    return rows


def test_the_agreements_pages_take_as_many_queries_at_50_agreements_as_at_5(login, make_user, make_plan,
                                                                             count_queries):
    strateg, director = make_user(Role.STRATEGIST), make_user(Role.DIRECTOR)
    plan = make_plan()
    first = agreements_with_years(range(5), strateg)
    plan.year = 2024
    agreements.year_of(plan.agreement, 2024)
    db.session.commit()
    bundle_id = sent_report(plan, director)[1].id
    year_page = f"/overenskommelser/{first[0].id}"
    client = login(strateg)
    few = [queries_of(client, count_queries, url) for url in ("/overenskommelser", year_page, "/arshjul")]
    strateg = db.session.get(type(strateg), strateg.id)  # the pages' reading emptied the test's session
    agreements_with_years(range(5, 50), strateg)
    more = agreements.get_year(first[0].id)
    for n in range(20):  # the year itself grows too
        agreements.add_condition(more, {"kind": "report", "text": f"Villkor {n}", "deadline": "2024-05-01"})
        agreements.add_funds(more, {"label": f"Del {n}", "amount": str(n)})
    agreements.fulfil(more.conditions[1], strateg, fulfilled_on=date(2024, 5, 1), note=None,
                      expected_version=None, bundle_id=bundle_id)
    db.session.commit()
    many = [queries_of(client, count_queries, url) for url in ("/overenskommelser", year_page, "/arshjul")]
    assert many == few, (few, many)
    listed = client.get("/overenskommelser").get_data(as_text=True).count("<h2 id=\"agreement-")
    assert listed == db.session.scalar(sa.select(sa.func.count(Agreement.id))) >= 51
