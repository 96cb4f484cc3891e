"""The `tracker` command: db (Flask-Migrate), demo, user, serve, export, import, history, backup, restore, round,
notify, report."""

import errno
import os
import sys
from getpass import getpass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.parsing import year_field

WRONG_ARGUMENT, WORLD_FAILED = 2, 1  # the exit codes: the call was wrong; the call was right, something failed

# What an operating system's refusal means, in Swedish (its own strerror is English).
_REASONS = {errno.ENOENT: "mappen finns inte", errno.ENOSPC: "disken är full", errno.EACCES: "behörighet saknas",
            errno.EPERM: "behörighet saknas", errno.EROFS: "filsystemet är skrivskyddat",
            errno.EISDIR: "det är en mapp", errno.ENOTDIR: "en del av sökvägen är ingen mapp",
            errno.EDQUOT: "diskkvoten är slut"}


def reason(error: OSError) -> str:
    return _REASONS.get(error.errno, error.strerror or str(error))


class CommandError(click.ClickException):
    """A refusal in Swedish ("Fel: …" on stderr), with exit 2 for a wrong argument or 1 when the world failed;
    nothing is half-written when it is raised."""

    def __init__(self, message: str, exit_code: int = WRONG_ARGUMENT):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"Fel: {self.format_message()}", err=True)


def output_file(path) -> Path:
    """Where a command will write, checked before anything is done: its folder exists and may be written."""
    path = Path(path)
    folder = path.parent.resolve()
    if not folder.is_dir():
        raise CommandError(f"Mappen {folder} finns inte; skapa den eller ange en annan sökväg. Inget har sparats.")
    if path.is_dir():
        raise CommandError(f"{path} är en mapp; ange en fil. Inget har sparats.")
    if not os.access(folder, os.W_OK):
        raise CommandError(f"Mappen {folder} får inte skrivas; ange en annan sökväg. Inget har sparats.")
    return path


def write_file(path: Path, data: bytes) -> None:
    """The whole file or none: written beside its place and renamed into it, so that a full disk leaves no half
    file behind."""
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "wb") as file:
            file.write(data)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise CommandError(f"{path} kunde inte skrivas: {reason(error)}.", WORLD_FAILED) from error


@click.command("demo")
@click.option("--also-users", is_flag=True,
              help="Load the demo also into a database that has users of its own (with a warning).")
@with_appcontext
def demo_command(also_users):
    """Load Region Halland's two real plans, the förvaltningar and the demo users.

    Creates what is missing and leaves what exists: running it twice gives the same data. Refuses (exit status 2,
    nothing written) a database that has users other than the demo's, unless --also-users.
    """
    from tracker.demo.loader import load_demo
    from tracker.history.recorder import acting

    with acting(None, "cli", "tracker demo"):
        try:
            lines = load_demo(also_users=also_users)
        except ValidationError as error:
            _fail(error, "Inget har sparats. Med --also-users läggs demokontona ändå in här.")
        for line in lines:
            click.echo(line, err=line.startswith("Varning:"))
        db.session.commit()


@click.group("user")
def user_group():
    """Manage users."""


def _read_password() -> str:
    """Asked for twice at a terminal; otherwise one line from standard input."""
    if sys.stdin.isatty():
        password = getpass("Lösenord: ")
        if getpass("Upprepa lösenordet: ") != password:
            raise CommandError("Lösenorden är inte lika.")
        return password
    return sys.stdin.readline().rstrip("\r\n")


def _fail(error: ValidationError, then: str | None = None) -> None:
    for message in error.errors.values():
        click.echo(f"Fel: {message}", err=True)
    if then:
        click.echo(then, err=True)
    sys.exit(2)


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="reader, division_contact, strategist, director or admin")
@click.option("--division", default=None, help="The förvaltning of a förvaltningskontakt.")
@with_appcontext
def create_user_command(email, name, role, division):
    """Create a user; the password is asked for, or read from standard input."""
    from tracker.history.recorder import acting
    from tracker.users.services import create_user

    password = _read_password()
    with acting(None, "cli", "tracker user create"):
        try:
            user = create_user(email=email, name=name, role=role, password=password, division=division)
        except ValidationError as error:
            _fail(error)
        db.session.commit()
    click.echo(f"Användaren {user.email} ({user.role.label}) är skapad.")


@user_group.command("set-password")
@click.argument("email")
@click.option("--temporary", is_flag=True, help="The user must choose their own password at the next login.")
@with_appcontext
def set_password_command(email, temporary):
    """Set a user's local password (the operator's way in, also when the web offers only single sign-on).

    The password is asked for, or read from standard input; every session of the user ends."""
    from tracker.history.recorder import acting
    from tracker.users.services import find_user_by_email, set_password

    user = find_user_by_email(email)
    if user is None:
        raise CommandError(f"Det finns ingen användare med e-postadressen {email}.")
    password = _read_password()
    with acting(None, "cli", "tracker user set-password"):
        try:
            set_password(user, password, acting_user=None, must_change=temporary)
        except ValidationError as error:
            _fail(error)
        db.session.commit()
    then = " Ett eget lösenord måste väljas vid nästa inloggning." if temporary else ""
    click.echo(f"Lösenordet för {user.email} är satt; alla inloggningar med det gamla är avslutade.{then}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads per worker process: they cover requests that wait (the mail server, the sign-in "
                   "provider); requests that compute share the process's interpreter, so for more of those add "
                   "--workers rather than threads (bench/load.py).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes sharing the port (each with --threads threads).")
@with_appcontext
def serve_command(host, port, threads, workers):
    """Serve the app with waitress, a production WSGI server, in one or several processes."""
    from tracker.serving import PortInUse, listen, serve_app

    try:
        sock = listen(host, port)
    except PortInUse as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    click.echo(f"Handlingsplaner körs på http://{host}:{port}/ med {workers} process(er) × {threads} trådar "
               "(avsluta med Ctrl+C)")
    serve_app(current_app._get_current_object(), sock, threads, workers)


@click.command("export")
@click.argument("plan_key")
@click.option("--version", type=int, default=None, help="An approved version (default: the current draft).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Also write the workbook to this file.")
@with_appcontext
def export_command(plan_key, version, output):
    """Export a plan as the Excel attachment; it is kept in the database (and in TRACKER_EXPORT_DIR, if set)."""
    from tracker.plans.services import get_plan
    from tracker.xlsx.export import export_plan

    output = output_file(output) if output else None
    plan = get_plan(plan_key)
    if plan is None:
        raise CommandError(f"Det finns ingen plan med nyckeln {plan_key}.")
    from tracker.history.recorder import acting

    try:
        with acting(None, "cli", "tracker export"):
            export, data = export_plan(plan, None, current_app.config["EXPORT_DIR"], version=version)
            db.session.commit()
    except ValueError as error:
        raise CommandError(str(error)) from error
    if output:
        write_file(output, data)
    click.echo(f"Exporterad: {output or export.file_name} (SHA-256 {export.sha256})")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--plan", "plan_key", default=None, help="The plan's key; default: the one the workbook names.")
@click.option("--dry-run", is_flag=True, help="Only show what would change.")
@click.option("--agreement", default=None,
              help="For a new plan: the agreement's name (one there is), instead of the workbook's.")
@click.option("--year", default=None, help="For a new plan, when the workbook does not say (ÅÅÅÅ).")
@click.option("--title", default=None, help="For a new plan, when the workbook does not say.")
@click.option("--remove-missing", is_flag=True, help="Remove åtgärder that are in the plan but not in the file.")
@click.option("--as-draft", is_flag=True, help="Create a new plan as a draft even if the file states it fastställd.")
@with_appcontext
def import_command(file, plan_key, dry_run, agreement, year, title, remove_missing, as_draft):
    """Import a plan from the Excel attachment. Exit status 0 when clean, 2 when the file has problems, 3 when
    someone saved a row that the file changes while importing (nothing is written; run it again)."""
    from tracker.xlsx.apply import ImportConflict, apply_import, conflict_message
    from tracker.xlsx.preview import preview_import
    from tracker.xlsx.read import WorkbookError

    if year is not None:
        errors = {}
        year = year_field(errors, "year", year)
        if errors:
            raise CommandError(f"--year: {errors['year']}")
    with open(file, "rb") as handle:
        data = handle.read()
    try:
        preview = preview_import(data, max_bytes=current_app.config["IMPORT_MAX_BYTES"], plan_key=plan_key,
                                 agreement=agreement, year=year, title=title)
    except WorkbookError as error:
        click.echo(f"Fel: {error}", err=True)
        sys.exit(2)
    for note in preview.read.notes:
        click.echo(f"Obs: {note}")
    if not preview.clean:
        for problem in ([preview.refusal] if preview.refusal else []) + [str(p) for p in preview.problems]:
            click.echo(f"Fel: {problem}", err=True)
        click.echo("Inget har sparats.", err=True)
        sys.exit(2)
    if preview.agreement_error:
        click.echo(f"Fel: {preview.agreement_error} Ange den med --agreement NAMN.", err=True)
        click.echo("Inget har sparats.", err=True)
        sys.exit(2)
    if preview.new_plan:
        facts = preview.new_plan
        click.echo(f"Ny plan {preview.plan_key}: {facts['title']} ({facts['agreement']}, {facts['year']}).")
    for assumption in preview.assumptions:
        click.echo(f"Antagande: {assumption}")
    if preview.approval:
        click.echo(f"{preview.approval_text} " + ("Planen skapas som utkast (--as-draft)." if as_draft else
                                                  "Fastställandet behålls (--as-draft skapar planen som utkast)."))
    for change in preview.changes:
        if change.state in ("new", "changed", "missing"):
            marker = {"new": "+", "changed": "~", "missing": "?"}[change.state]
            click.echo(f"{marker} {change.kind} {change.key}: {change.title}")
            for label, before, after in change.fields:
                click.echo(f"    {label}: {before} → {after}")
    click.echo(preview.summary)
    if preview.count("missing"):
        click.echo("Det som saknas i filen " + ("tas bort." if remove_missing else "behålls (--remove-missing tar bort)."))
    if dry_run:
        click.echo("Provkörning: inget har sparats.")
        return
    if preview.has_changes:
        from tracker.history.recorder import acting
        from tracker.xlsx.apply import CLI_IMPORTER

        try:
            with acting(None, "import", CLI_IMPORTER):
                apply_import(preview, None, remove_missing=remove_missing, keep_approval=not as_draft)
                db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            for message in error.errors.values():
                click.echo(f"Fel: {message}", err=True)
            click.echo("Inget har sparats.", err=True)
            sys.exit(2)
        except ImportConflict as conflict:
            db.session.rollback()
            click.echo(f"Fel: {conflict_message(preview, conflict.rows)}", err=True)
            sys.exit(3)
        click.echo("Importen är sparad.")
        if preview.approval and not as_draft:
            a = preview.approval
            click.echo(f"Planen {preview.plan_key} är fastställd som version {a['version']} ({a['on']} av {a['by']}), "
                       "som filen anger.")


@click.group("history")
def history_group():
    """The history of changes."""


@history_group.command("verify")
@with_appcontext
def verify_history_command():
    """Check that no history entry was changed or removed (the hash chain is intact)."""
    from tracker.history.services import verify_chain

    report = verify_chain()
    if report.intact:
        click.echo(f"Historiken är obruten: {report.entries} poster, kedjan stämmer.")
        return
    if report.missing_key:
        click.echo(f"Historiken kan inte kontrolleras från post {report.broken_at}: posten är signerad med nyckeln "
                   f"{report.missing_key}, som inte finns bland historikens nycklar. Lägg till den gamla nyckeln "
                   "efter den nya i TRACKER_HISTORY_KEYS (eller i instance/history_key).", err=True)
    elif report.broken_at:
        click.echo(f"Historiken är bruten vid post {report.broken_at}: posten har ändrats, en post före den har "
                   "tagits bort, eller posten är signerad med en äldre nyckel än posten före den.", err=True)
    elif report.unkeyed:
        click.echo("Historiken är bruten: ingen post är signerad med historikens nyckel, fast uppgraderingen som "
                   "införde nycklarna signerar en efter de äldre posterna. Kedjan har byggts om utan nyckeln.",
                   err=True)
    else:
        click.echo("Historiken är bruten: den senaste posten saknas eller har ändrats.", err=True)
    sys.exit(1)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def backup_command(file):
    """A consistent copy of the SQLite database in FILE, taken while the app serves (PostgreSQL: pg_dump)."""
    from tracker.backup import BackupError, backup

    file = output_file(file)
    try:
        size = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], file)
    except BackupError as error:
        raise CommandError(str(error), error.exit_code) from error
    click.echo(f"Säkerhetskopian är sparad i {file} ({size / 1024 / 1024:.1f} MB).")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file):
    """Restore a backup made by `tracker backup` into the configured SQLite database, which must be empty."""
    from tracker.backup import BackupError, restore

    db.engine.dispose()
    try:
        restore(file, current_app.config["SQLALCHEMY_DATABASE_URI"])
    except BackupError as error:
        raise CommandError(str(error), error.exit_code) from error
    click.echo(f"Databasen är återställd från {file}. Kör 'tracker db upgrade' om kopian är äldre än appen.")


@click.group("round")
def round_group():
    """Reporting rounds (uppföljningsomgångar), as on the plan's round page."""


def _plan_or_exit(plan_key: str):
    from tracker.plans.services import get_plan

    plan = get_plan(plan_key)
    if plan is None:
        raise CommandError(f"Det finns ingen plan med nyckeln {plan_key}.")
    return plan


@round_group.command("open")
@click.argument("plan_key")
@click.option("--title", required=True, help="What the round is for, e.g. Delårsuppföljning 2024.")
@click.option("--deadline", required=True, help="The last day, ÅÅÅÅ-MM-DD.")
@with_appcontext
def open_round_command(plan_key, title, deadline):
    """Open a round on the plan. Exit status 2 when the input is refused (nothing written)."""
    from tracker.clock import today
    from tracker.followup.rounds import open_round
    from tracker.history.recorder import acting

    plan = _plan_or_exit(plan_key)
    with acting(None, "cli", "tracker round open"):
        try:
            round_ = open_round(plan, None, title=title, deadline=deadline, today=today())
        except ValidationError as error:
            db.session.rollback()
            _fail(error)
        db.session.commit()
    click.echo(f"Omgången ”{round_.title}” är öppen i {plan.key} till och med {round_.deadline}. "
               "Kontakterna får besked vid nästa körning av tracker notify.")


@round_group.command("close")
@click.argument("plan_key")
@click.option("--yes", is_flag=True, help="Close without asking (as ticking the box on the round page).")
@with_appcontext
def close_round_command(plan_key, yes):
    """Close the plan's open round, keeping every status as it is. Asks first, naming what is left, unless --yes;
    exit status 1 when not confirmed, 2 when no round is open."""
    from tracker.followup.rounds import close_round, open_round_of, progress
    from tracker.history.recorder import acting

    plan = _plan_or_exit(plan_key)
    round_ = open_round_of(plan)
    if round_ is None:
        click.echo(f"Fel: ingen omgång är öppen i {plan.key}.", err=True)
        sys.exit(2)
    left = sum(item.left for item in progress(round_))
    if not yes and not click.confirm(f"Stänga ”{round_.title}” (sista dag {round_.deadline})"
                                     + (f", fast {left} statusar ännu inte är bekräftade" if left else "")
                                     + "? En stängd omgång öppnas inte igen."):
        click.echo("Omgången är inte stängd.", err=True)
        sys.exit(1)
    with acting(None, "cli", "tracker round close"):
        close_round(round_, None)
        db.session.commit()
    click.echo(f"Omgången ”{round_.title}” är stängd; statusarna är sparade som de var"
               + (f" ({left} obekräftade)." if left else "."))


@click.command("notify")
@with_appcontext
def notify_command():
    """Send what is due about the reporting rounds, each notice once: a round opened, reminders before its
    deadline, the late ones to the strateger; and to the strateger, a reminder before each villkor's deadline
    (TRACKER_DEADLINE_REMIND_DAYS days before), once per deadline. Exit status 0 when all went out (or mail is
    off), 1 when some could not be sent (they go out on the next run), 2 when the mail settings are incomplete or
    the server cannot be used as they say (nothing is sent then, nor marked)."""
    from tracker.clock import today
    from tracker.display import long_date
    from tracker.notify.deadlines import DeadlineDelivery, deliver_deadlines, due_deadline_notices
    from tracker.notify.mail import MailConfigurationError, MailNotConfigured
    from tracker.notify.services import Delivery, deliver, due_notices, mail_settings
    from tracker.types import utcnow

    try:
        settings = mail_settings()
    except MailNotConfigured as error:
        click.echo(f"Fel: {error}", err=True)
        sys.exit(2)
    if settings is None:
        click.echo("E-post är avstängd (TRACKER_SMTP_HOST är inte satt): inget skickas.")
        return
    notices = due_notices(today(), current_app.config["REMIND_DAYS"])
    deadline_notices = due_deadline_notices(today(), current_app.config["DEADLINE_REMIND_DAYS"])
    if not notices and not deadline_notices:
        click.echo("Inget att skicka.")
        return
    try:
        delivery = deliver(notices, settings, today(), utcnow()) if notices else Delivery()
        deadlines = (deliver_deadlines(deadline_notices, settings, today(), utcnow()) if deadline_notices
                     else DeadlineDelivery())
    except MailConfigurationError as error:
        click.echo(f"Fel: {error} Inget har skickats; allt skickas vid första körningen efter rättelsen.", err=True)
        sys.exit(2)
    for user, sent in delivery.sent:
        click.echo(f"Skickat till {user.email}: " + "; ".join(f"{n.kind.label} ({n.round.title})" for n in sent))
    for user, sent in deadlines.sent:
        click.echo(f"Skickat till {user.email}: " + "; ".join(
            f"Villkor före sista dag ({n.condition.agreement_year.label}, {long_date(n.condition.deadline)})"
            for n in sent))
    failed = delivery.failed + deadlines.failed
    gave_up = delivery.gave_up + deadlines.gave_up
    for user, reason in failed:
        click.echo(f"Fel: kunde inte skicka till {user.email}: {reason}", err=True)
    for user, reason in gave_up:
        click.echo(f"Fel: servern nekade för gott brevet till {user.email}, det försöks inte igen: {reason}",
                   err=True)
    click.echo(f"{len(delivery.sent) + len(deadlines.sent)} skickade, {len(failed) + len(gave_up)} misslyckades.")
    if failed:
        click.echo("Det som inte skickades skickas vid nästa körning.", err=True)
    if failed or gave_up:
        sys.exit(1)


@click.group("report")
def report_group():
    """The redovisning to Socialstyrelsen."""


def _report(key: str):
    from tracker.reports.queries import get_report

    report = get_report(key)
    if report is None:
        raise CommandError(f"Det finns ingen redovisning med nyckeln {key}.")
    return report


@report_group.command("export")
@click.argument("report_key")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="The Word file to write (.docx).")
@with_appcontext
def report_export_command(report_key, output):
    """Write the report as a Word document, in the form's order."""
    from tracker.reports.docx import report_docx

    output = output_file(output)
    data = report_docx(_report(report_key))
    write_file(output, data)
    click.echo(f"Redovisningen är skriven till {output} ({len(data)} byte).")


@report_group.command("bundle")
@click.argument("report_key")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="The zip to write.")
@with_appcontext
def report_bundle_command(report_key, output):
    """Make the bundle to send (the report, the plan's workbook, a manifest); it is kept in the database."""
    from tracker.history.recorder import acting
    from tracker.reports.bundle import bundle_content, make_bundle

    from tracker.reports.lifecycle import ReportLocked

    output = output_file(output)
    with acting(None, "cli", "tracker report bundle"):
        try:
            bundle = make_bundle(_report(report_key), None, name="tracker report bundle",
                                 export_dir=current_app.config["EXPORT_DIR"])
        except ReportLocked as error:
            raise CommandError(error.message) from error
        db.session.commit()
    write_file(output, bundle_content(bundle))
    click.echo(f"Paketet är skrivet till {output} (SHA-256 {bundle.sha256}).")


def register_commands(app) -> None:
    app.cli.add_command(round_group)
    app.cli.add_command(notify_command)
    app.cli.add_command(history_group)
    app.cli.add_command(report_group)
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(user_group)
    app.cli.add_command(serve_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
