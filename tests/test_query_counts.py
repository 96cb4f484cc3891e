"""Pages whose number of SQL statements must not grow with the data: more open rounds, a longer history,
a larger plan. (The plan page has its own check in tests/plans/test_views.py.)"""

from datetime import date

from flask import g

from tests.factories import queries_of
from tracker.extensions import db
from tracker.followup import rounds as followup
from tracker.history.recorder import acting
from tracker.vocabulary import Role, Status

TITLES = ["Ramavtal med externa vårdgivare", "Lean som verksamhetsstrategi", "Digital Vårdcentral inom primärvård",
          "Insatser inom barn- och ungdomspsykiatri"]


def plans_with_open_rounds(make_plan, strateg, numbers):
    plans = [make_plan(key=f"plan-{n}-2024", title=f"Handlingsplan {TITLES[n]}",
                       actions=[{"divisions": ["PH"], "title": TITLES[n]}]) for n in numbers]
    for plan in plans:
        followup.open_round(plan, strateg, title="Delårsuppföljning 2024", deadline="2030-09-15",
                            today=date(2024, 8, 1))
    db.session.commit()
    return plans


def test_my_actions_takes_as_many_queries_with_four_open_rounds_as_with_one(login, make_user, make_plan,
                                                                          count_queries):
    strateg = make_user(Role.STRATEGIST)
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    plans_with_open_rounds(make_plan, strateg, [0])
    client = login(contact)
    one = queries_of(client, count_queries, "/mina-atgarder")
    plans = plans_with_open_rounds(make_plan, strateg, [1, 2, 3])
    status = plans[0].factors[0].actions[0].statuses[0]
    with acting(contact, "web"):
        followup.confirm(followup.open_round_of(plans[0]), status, contact, unchanged=True)
        db.session.commit()
    four = queries_of(client, count_queries, "/mina-atgarder")
    assert four == one, (one, four)
    page = client.get("/mina-atgarder").get_data(as_text=True)
    assert page.count("Delårsuppföljning 2024") >= 4


def test_the_history_page_takes_as_many_queries_for_a_long_history(login, make_user, make_plan, count_queries):
    plan = make_plan(actions=[{"divisions": ["PH"]}])
    client = login(make_user())
    short = queries_of(client, count_queries, f"/planer/{plan.key}/historik")
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    status = plan.factors[0].actions[0].statuses[0]
    for n, value in enumerate([Status.IN_PROGRESS, Status.DELAYED, Status.DONE] * 10):
        with acting(contact, "web"):
            status.status, status.comment = value, f"Uppföljning {n}"
            db.session.commit()
    long = queries_of(client, count_queries, f"/planer/{plan.key}/historik")
    assert long == short, (short, long)


def test_the_dashboard_takes_as_many_queries_for_a_larger_plan(login, make_user, make_plan, count_queries):
    """Also what is done for each target group: one group on one åtgärd, or three groups on twelve."""
    from tracker.strategy.models import TargetGroup
    from tracker.strategy.services import set_links

    small = make_plan(key="liten-2024", actions=[{}])
    large = make_plan(key="stor-2024", actions=[{"statuses": {"HS": Status.DONE}}, {"due_date": date(2024, 1, 31)},
                                                {"divisions": ["PH", "RK"]}] * 4, factors=3)
    groups = [TargetGroup(name=name, position=n) for n, name in enumerate(("Kvinnor", "Barn och unga", "Äldre"))]
    db.session.add_all(groups)
    with acting(None, "cli", "test"):
        set_links(small.factors[0].actions[0], groups=groups[:1])
        for n, action in enumerate(a for f in large.factors for a in f.actions):
            set_links(action, groups=groups[: 1 + n % 3])
        db.session.commit()
    client = login(make_user(Role.DIRECTOR))
    assert queries_of(client, count_queries, f"/planer/{small.key}/oversikt") == \
        queries_of(client, count_queries, f"/planer/{large.key}/oversikt")
    page = client.get(f"/planer/{large.key}/oversikt").get_data(as_text=True)
    assert " av 12 genomförda</li>" in page.split("<li>Kvinnor: ")[1] and "<li>Äldre: " in page


def test_the_report_page_and_my_questions_take_as_many_queries_for_the_real_2024_form(login, make_user, divisions,
                                                                                      count_queries):
    from tests.reports.helpers import create_report
    from tracker.reports import creation

    small = create_report(answers=True)
    real = creation.create_report(creation.read_shipped_form("tillganglighet-2024"), answers=True, plan_key="",
                                  key="tillganglighet-2024-kopia")
    db.session.commit()
    client = login(make_user(Role.STRATEGIST))
    assert queries_of(client, count_queries, f"/redovisningar/{real.key}") == \
        queries_of(client, count_queries, f"/redovisningar/{small.key}")
    client = login(make_user(Role.DIVISION_CONTACT, "PH"))
    with_two = queries_of(client, count_queries, "/mina-fragor")
    creation.create_from_source("form:tillganglighet-2024", answers=False, key="tillganglighet-2025",
                                title="Redovisning 2025", year=2025)
    db.session.commit()
    assert queries_of(client, count_queries, "/mina-fragor") == with_two


def test_a_save_on_my_actions_reads_the_rounds_once_and_before_it_writes(login, make_user, make_plan, count_queries,
                                                                          htmx_headers):
    """The save confirms the row in its round and shows the round's count: one read of the rounds serves both, and
    it comes before the UPDATE (on SQLite the write lock is then held for the writes only), with 1 or 4 open rounds."""
    strateg = make_user(Role.STRATEGIST)
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    plans = plans_with_open_rounds(make_plan, strateg, [0])
    client = login(contact)

    def save(plan, comment: str) -> list[str]:
        status = plan.factors[0].actions[0].statuses[0]
        data = {"status": "in_progress", "comment": comment, "version": status.version_id, "view": "mine"}
        g.pop("_login_user", None)
        db.session.expunge_all()
        with count_queries() as statements:
            response = client.post(f"/status/{status.id}", data=data, headers=htmx_headers)
        assert response.status_code == 200
        assert "✓ Bekräftad i Delårsuppföljning 2024" in response.get_data(as_text=True)
        return [" ".join(s.split()) for s in statements]

    one = save(plans[0], "Första sparningen")
    plans += plans_with_open_rounds(make_plan, strateg, [1, 2, 3])
    four = save(plans[3], "Sparning med fyra omgångar öppna")
    for statements in (one, four):
        rounds_read = [i for i, s in enumerate(statements) if "FROM reporting_round" in s]
        first_write = next(i for i, s in enumerate(statements) if s.startswith(("UPDATE", "INSERT")))
        assert len(rounds_read) == 1 and rounds_read[0] < first_write, statements
    assert len(four) == len(one), (one, four)


def test_the_navigations_count_of_waiting_questions_is_one_query(make_user, divisions, count_queries):
    from tests.reports.helpers import create_report
    from tracker.reports import queries

    create_report(answers=False)
    contact = make_user(Role.DIVISION_CONTACT, "PH")
    db.session.expire_all()
    assert contact.division_id  # the user is loaded, as on every page
    with count_queries() as statements:
        waiting = queries.awaiting_count(contact)
    assert waiting == len(queries.my_questions(contact)) > 0 and len(statements) == 1


def test_sending_and_reopening_take_as_many_queries_for_the_real_2024_form(make_user, divisions, count_queries):
    from tests.reports.helpers import approve, create_report
    from tracker.reports import creation, lifecycle, queries

    def sent_and_reopened(report) -> tuple[int, int, int]:
        approve(report)
        db.session.expire_all()
        with count_queries() as sending:
            lifecycle.mark_sent(report, None, bundle=None)
        with count_queries() as reopening:
            lifecycle.reopen(report, [queries.load_tree(report)[0].questions[0].id])
        db.session.commit()
        db.session.expire_all()
        with count_queries() as asking:
            creation.ask_every_division(report)
        db.session.rollback()
        return len(sending), len(reopening) - 3, len(asking)  # load_tree's three queries are the test's own

    small = create_report(answers=True)
    real = creation.create_report(creation.read_shipped_form("tillganglighet-2024"), answers=True, plan_key="",
                                  key="tillganglighet-2024-kopia")
    db.session.commit()
    assert sent_and_reopened(real) == sent_and_reopened(small)
