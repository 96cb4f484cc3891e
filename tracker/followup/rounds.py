"""Reporting rounds: a deadline by which every förvaltning confirms or updates its statuses, what each round
still waits for, and what the statuses were when it closed."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from tracker.errors import ChangedSinceSeen, NotAllowed, ValidationError
from tracker.extensions import db
from tracker.followup.models import ReportingRound, RoundConfirmation
from tracker.history.recorder import record
from tracker.parsing import one_line_field, optional_id
from tracker.plans.models import Action, DivisionStatus, Plan, SuccessFactor
from tracker.seen import digest
from tracker.types import utcnow
from tracker.users.models import Division, User
from tracker.vocabulary import Status

TITLE_MAX = 200



def open_round_of(plan: Plan) -> ReportingRound | None:
    return db.session.scalar(
        sa.select(ReportingRound).where(ReportingRound.plan_id == plan.id, ReportingRound.closed_at.is_(None))
    )


def list_rounds(plan: Plan) -> list[ReportingRound]:
    return db.session.scalars(
        sa.select(ReportingRound).where(ReportingRound.plan_id == plan.id).order_by(ReportingRound.opened_at.desc())
    ).all()


def open_round(plan: Plan, user: User | None, *, title: str | None, deadline: str | None,
               today: date) -> ReportingRound:
    """Open a round on the plan; `user` None from the command line (the history names the command)."""
    errors = {}
    title = one_line_field(errors, "title", title, "Rubriken", TITLE_MAX,
                           "Ange vad omgången gäller, t.ex. Delårsuppföljning 2024.")
    try:
        deadline_date = date.fromisoformat((deadline or "").strip())
    except ValueError:
        deadline_date = None
        errors["deadline"] = "Ange sista dag som ÅÅÅÅ-MM-DD, t.ex. 2024-09-15."
    if deadline_date and deadline_date < today:
        errors["deadline"] = f"Sista dag ({deadline_date}) har redan passerat."
    if current := open_round_of(plan):
        errors["title"] = f"Omgången ”{current.title}” är redan öppen. Stäng den innan du öppnar en ny."
    if errors:
        raise ValidationError(errors)
    round_ = ReportingRound(plan_id=plan.id, title=title, deadline=deadline_date,
                            opened_by_id=user.id if user else None)
    db.session.add(round_)
    record(db.session, plan=plan, kind="round", verb="opened",
           summary=f"öppnade uppföljningsomgången ”{title}” med sista dag {deadline_date}")
    db.session.flush()
    return round_


def plan_statuses(plan_id: int, division_id: int | None = None, *,
                   with_updaters: bool = False) -> list[DivisionStatus]:
    query = (sa.select(DivisionStatus).join(Action).join(SuccessFactor).where(SuccessFactor.plan_id == plan_id)
             .options(so.joinedload(DivisionStatus.division),
                      so.joinedload(DivisionStatus.action).joinedload(Action.factor)))
    if with_updaters:  # pages that say who updated each row
        query = query.options(so.joinedload(DivisionStatus.updated_by))
    if division_id is not None:
        query = query.where(DivisionStatus.division_id == division_id)
    return db.session.scalars(query).all()


def confirmed_ids(round_: ReportingRound) -> set[int]:
    return set(db.session.scalars(sa.select(RoundConfirmation.status_id).where(RoundConfirmation.round_id == round_.id)))


def confirm(round_: ReportingRound, division_status: DivisionStatus, user: User | None, *, unchanged: bool) -> bool:
    """Count the status as confirmed in the round; False when it already was."""
    exists = db.session.scalar(sa.select(RoundConfirmation.id).where(
        RoundConfirmation.round_id == round_.id, RoundConfirmation.status_id == division_status.id))
    if exists:
        return False
    _add_confirmation(round_, division_status, user, unchanged=unchanged)
    db.session.flush()
    return True


def _add_confirmation(round_: ReportingRound, division_status: DivisionStatus, user: User | None, *,
                      unchanged: bool) -> None:
    db.session.add(RoundConfirmation(round_id=round_.id, status_id=division_status.id,
                                     confirmed_by_id=user.id if user else None, unchanged=unchanged))
    if unchanged:
        action = division_status.action
        record(db.session, plan=round_.plan, kind="round", verb="confirmed",
               summary=f"bekräftade att status för ”{action.title}” ({division_status.division.name}) är "
                       f"oförändrad: {division_status.status.label}")


BULK_MAX = 1000  # rows picked at once: more than any förvaltning has in a plan


def confirm_unchanged_many(round_: ReportingRound, user: User, status_ids: list | None = None,
                           factor_id: str | int | None = None) -> int:
    """Confirm several of the user's förvaltning's statuses as "Oförändrad" at once, each as `confirm` does;
    how many were newly confirmed. The form's choice as posted: `status_ids` the rows picked, or `factor_id`
    for all the förvaltning has left in one framgångsfaktor. All or nothing: bad input is a ValidationError
    (under "status_id", the form's one message), a row of another förvaltning NotAllowed, and so is a closed
    round a ValidationError. Two requests at once (a double click) may both insert a row: the second fails on
    the unique constraint (IntegrityError), having confirmed nothing the first did not."""
    if not round_.is_open:
        raise ValidationError({"status_id": "Omgången är stängd."})
    done = confirmed_ids(round_)
    if factor_id is not None:
        statuses = _factor_left(round_, user, factor_id, done)
    else:
        statuses = _picked(round_, user, list(status_ids or []))
    new = [s for s in sorted(statuses, key=lambda s: (s.action.factor.position, s.action.position))
           if s.id not in done]
    for status in new:
        _add_confirmation(round_, status, user, unchanged=True)
    db.session.flush()
    return len(new)


def _factor_left(round_: ReportingRound, user: User, factor_id, done: set[int]) -> list[DivisionStatus]:
    factor_id = optional_id(factor_id)
    factor = db.session.get(SuccessFactor, factor_id) if factor_id else None
    if factor is None or factor.plan_id != round_.plan_id:
        raise ValidationError({"status_id": "Välj en framgångsfaktor i omgångens plan."})
    statuses = [s for s in plan_statuses(round_.plan_id, user.division_id)
                if s.action.factor_id == factor.id and s.id not in done] if user.division_id else []
    if not statuses:
        raise ValidationError({"status_id": "Inget kvar att bekräfta i framgångsfaktorn."})
    return statuses


def _picked(round_: ReportingRound, user: User, status_ids: list) -> list[DivisionStatus]:
    if not status_ids:
        raise ValidationError({"status_id": "Kryssa i de åtgärder vars status är oförändrad, eller välj en "
                                            "framgångsfaktor."})
    if len(status_ids) > BULK_MAX:
        raise ValidationError({"status_id": f"Högst {BULK_MAX} åtgärder på en gång; bekräfta resten efteråt."})
    ids = {optional_id(i) for i in status_ids}
    statuses = db.session.scalars(
        sa.select(DivisionStatus).where(DivisionStatus.id.in_(ids - {None}))
        .options(so.joinedload(DivisionStatus.action).joinedload(Action.factor), so.joinedload(DivisionStatus.division))
    ).all() if ids - {None} else []
    if None in ids or len(statuses) != len(ids) or any(s.action.factor.plan_id != round_.plan_id for s in statuses):
        raise ValidationError({"status_id": "Åtgärden finns inte i omgången."})
    if any(not user.speaks_for(s.division_id) for s in statuses):
        raise NotAllowed("Du kan bara bekräfta din egen förvaltnings åtgärder i omgångens plan.")
    return statuses


def left_statuses(round_: ReportingRound, *, division_id: int | None = None, factor_id: int | None = None,
                  with_updaters: bool = False) -> list[DivisionStatus]:
    """What the round still waits for (of one förvaltning, one framgångsfaktor), in the plan's order;
    `with_updaters` loads who last updated each row too."""
    done = confirmed_ids(round_)
    return sorted((s for s in plan_statuses(round_.plan_id, division_id, with_updaters=with_updaters)
                   if s.id not in done and (factor_id is None or s.action.factor_id == factor_id)),
                  key=lambda s: (s.division.position, s.action.factor.position, s.action.position))


ASK_BY_ID_UP_TO = 500  # statuses named in the query of `unconfirmed`; a larger import reads the round's all


def unconfirmed(statuses: list[DivisionStatus]) -> list[tuple[int, DivisionStatus]]:
    """(round id, status) for each status that an open round of its plan has not counted yet: one read, made
    before the update writes (on SQLite the write lock is then held for the writes only)."""
    by_plan: dict[int, list[DivisionStatus]] = defaultdict(list)
    for status in statuses:
        by_plan[status.action.factor.plan_id].append(status)
    ids = {status.id for status in statuses}
    confirmed = RoundConfirmation.round_id == ReportingRound.id
    if len(ids) <= ASK_BY_ID_UP_TO:  # a save or a small import asks about its own rows, not the round's every one
        confirmed = sa.and_(confirmed, RoundConfirmation.status_id.in_(list(ids)))
    rows = db.session.execute(
        sa.select(ReportingRound.plan_id, ReportingRound.id, RoundConfirmation.status_id)
        .outerjoin(RoundConfirmation, confirmed)
        .where(ReportingRound.plan_id.in_(list(by_plan)), ReportingRound.closed_at.is_(None))).all()
    rounds = {plan_id: round_id for plan_id, round_id, _ in rows}
    done = {(round_id, status_id) for _, round_id, status_id in rows if status_id is not None}
    pending = []
    for plan_id, updated in by_plan.items():
        round_id = rounds.get(plan_id)
        for status in updated:
            if round_id is not None and (round_id, status.id) not in done:
                pending.append((round_id, status))
                done.add((round_id, status.id))
    return pending


def add_confirmations(pending: list[tuple[int, DivisionStatus]], user: User | None) -> None:
    """`pending` was read before the update wrote: a row confirmed since then (a colleague's "Oförändrad" at that
    moment) keeps that confirmation, instead of failing the update on the unique key."""
    if not pending:
        return
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(RoundConfirmation.__table__).values([
        {"round_id": round_id, "status_id": status.id, "confirmed_by_id": user.id if user else None,
         "unchanged": False} for round_id, status in pending]).on_conflict_do_nothing())


def confirm_updates(statuses: list[DivisionStatus], user: User | None) -> None:
    """Statuses updated while their plan has an open round count as confirmed in it (once), whether saved
    on the web or imported."""
    add_confirmations(unconfirmed(statuses), user)
    db.session.flush()


def division_total(round_: ReportingRound, division_id: int) -> int:
    """How many of the round's plan's statuses are the förvaltning's."""
    return db.session.scalar(
        sa.select(sa.func.count(DivisionStatus.id)).join(Action).join(SuccessFactor)
        .where(SuccessFactor.plan_id == round_.plan_id, DivisionStatus.division_id == division_id))


@dataclass
class DivisionProgress:
    division: Division
    total: int
    confirmed: int

    @property
    def left(self) -> int:
        return self.total - self.confirmed


def progress(round_: ReportingRound) -> list[DivisionProgress]:
    done = confirmed_ids(round_)
    per_division: dict[int, DivisionProgress] = {}
    for status in plan_statuses(round_.plan_id):
        item = per_division.setdefault(status.division_id, DivisionProgress(status.division, 0, 0))
        item.total += 1
        item.confirmed += status.id in done
    return sorted(per_division.values(), key=lambda p: (p.division.position, p.division.name))


def progress_seen(items: list[DivisionProgress]) -> str:
    """The round's progress as its page shows it (confirmed and total per förvaltning), as the close form carries
    it: the strateg closes on how far the förvaltningar have come. A later edit of a status already confirmed
    changes no count: the round keeps the status as it is when it closes, which is its purpose."""
    return digest([(p.division.id, p.confirmed, p.total) for p in items])


def check_progress_seen(round_: ReportingRound, seen: str) -> None:
    if progress_seen(progress(round_)) != seen:
        raise ChangedSinceSeen("Omgångens läge har ändrats sedan du öppnade sidan (förvaltningarna har bekräftat fler "
                               "statusar, eller planen har fått fler att bekräfta), så omgången är inte stängd. Se hur "
                               "långt de har kommit nu och stäng den därifrån om den ska stängas.",
                               ("followup.rounds", {"key": round_.plan.key}), "Omgången nu")


def close_round(round_: ReportingRound, user: User | None, *, seen: str | None = None) -> None:
    """Close the round, keeping every status as it is now; `user` None from the command line. `seen`: the progress
    the closing page showed (`progress_seen`); None from the command line, which shows none."""
    if not round_.is_open:
        raise ValidationError({"round": "Omgången är redan stängd."})
    if seen is not None:
        check_progress_seen(round_, seen)
    done = confirmed_ids(round_)
    round_.snapshot = [
        {"status_id": s.id, "action_id": s.action_id, "ref": s.action.ref, "title": s.action.title,
         "division_id": s.division_id, "division": s.division.name, "status": s.status.value,
         "comment": s.comment, "confirmed": s.id in done}
        for s in sorted(plan_statuses(round_.plan_id), key=lambda s: (s.action.ref, s.division.position))
    ]
    round_.closed_at = utcnow()
    round_.closed_by_id = user.id if user else None
    left = sum(1 for row in round_.snapshot if not row["confirmed"])
    record(db.session, plan=round_.plan, kind="round", verb="closed",
           summary=f"stängde uppföljningsomgången ”{round_.title}”" + (f" ({left} obekräftade)" if left else ""))
    db.session.flush()


@dataclass
class RoundDifference:
    ref: str
    title: str
    division: str
    before: str
    after: str


def compare_rounds(before: ReportingRound, after: ReportingRound) -> list[RoundDifference]:
    """Statuses that differ between two closed rounds."""
    old = {(r["action_id"], r["division_id"]): r for r in before.snapshot or []}
    differences = []
    for row in after.snapshot or []:
        previous = old.get((row["action_id"], row["division_id"]))
        before_label = Status(previous["status"]).label if previous else "–"
        if previous is None or previous["status"] != row["status"]:
            differences.append(RoundDifference(row["ref"], row["title"], row["division"], before_label,
                                               Status(row["status"]).label))
    return differences


def previous_round(round_: ReportingRound) -> ReportingRound | None:
    return db.session.scalar(
        sa.select(ReportingRound).where(ReportingRound.plan_id == round_.plan_id,
                                        ReportingRound.closed_at.is_not(None),
                                        ReportingRound.opened_at < round_.opened_at)
        .order_by(ReportingRound.opened_at.desc()).limit(1)
    )


@dataclass
class MyRound:
    round: ReportingRound
    status_ids: frozenset[int]  # the user's förvaltning's statuses in the round's plan
    confirmed_status_ids: set[int] = field(default_factory=set)

    @property
    def total(self) -> int:
        return len(self.status_ids)

    @property
    def left(self) -> int:
        return self.total - len(self.confirmed_status_ids)


def awaited_status_ids(rounds: list[MyRound]) -> frozenset[int]:
    """The statuses that the open rounds still wait for."""
    return frozenset().union(*(r.status_ids - r.confirmed_status_ids for r in rounds))


def factors_left(my_round: MyRound, statuses: list[DivisionStatus]) -> list[tuple[SuccessFactor, int]]:
    """The framgångsfaktorer in which the round still waits for some of `statuses`, with how many, in the
    plan's order: the choices of "all of one framgångsfaktor"."""
    waiting = my_round.status_ids - my_round.confirmed_status_ids
    counts = Counter(ds.action.factor for ds in statuses if ds.id in waiting)
    return sorted(counts.items(), key=lambda item: item[0].position)


def my_open_rounds(user: User) -> list[MyRound]:
    """The open rounds that ask something of the user's förvaltning, in two queries however many there are;
    the second reads the förvaltning's own rows only, not the rounds' every confirmation."""
    if user.division_id is None:
        return []
    rounds = db.session.scalars(sa.select(ReportingRound).join(Plan, ReportingRound.plan_id == Plan.id)
                                .where(ReportingRound.closed_at.is_(None), Plan.archived_at.is_(None))).all()
    if not rounds:
        return []
    by_plan: dict[int, set[int]] = defaultdict(set)
    confirmed: dict[int, set[int]] = defaultdict(set)  # round id: status ids
    for status_id, plan_id, round_id in db.session.execute(
            sa.select(DivisionStatus.id, SuccessFactor.plan_id, RoundConfirmation.round_id)
            .select_from(DivisionStatus)
            .join(Action, DivisionStatus.action_id == Action.id).join(SuccessFactor, Action.factor_id == SuccessFactor.id)
            .outerjoin(RoundConfirmation, sa.and_(RoundConfirmation.status_id == DivisionStatus.id,
                                                  RoundConfirmation.round_id.in_({r.id for r in rounds})))
            .where(DivisionStatus.division_id == user.division_id,
                   SuccessFactor.plan_id.in_({r.plan_id for r in rounds}))):
        by_plan[plan_id].add(status_id)
        if round_id is not None:
            confirmed[round_id].add(status_id)
    return [MyRound(r, frozenset(by_plan[r.plan_id]), confirmed[r.id]) for r in rounds if by_plan[r.plan_id]]

