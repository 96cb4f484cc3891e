"""The `tracker` command: db (Flask-Migrate), demo, user create, serve."""

import sys
from getpass import getpass

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from tracker.errors import ValidationError
from tracker.extensions import db


@click.command("demo")
@with_appcontext
def demo_command():
    """Load Region Halland's two real plans, the förvaltningar and the demo users.

    Creates what is missing and leaves what exists: running it twice gives the same data.
    """
    from tracker.demo.loader import load_demo

    for line in load_demo():
        click.echo(line)
    db.session.commit()


@click.group("user")
def user_group():
    """Manage users."""


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="reader, division_contact, strategist, director or admin")
@click.option("--division", default=None, help="The förvaltning of a förvaltningskontakt.")
@with_appcontext
def create_user_command(email, name, role, division):
    """Create a user; the password is asked for, or read from standard input."""
    from tracker.users.services import create_user

    if sys.stdin.isatty():
        password = getpass("Lösenord: ")
        if getpass("Upprepa lösenordet: ") != password:
            raise click.ClickException("Lösenorden är inte lika.")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = create_user(email=email, name=name, role=role, password=password, division=division)
    except ValidationError as error:
        for message in error.errors.values():
            click.echo(f"Fel: {message}", err=True)
        sys.exit(2)
    db.session.commit()
    click.echo(f"Användaren {user.email} ({user.role.label}) är skapad.")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def serve_command(host, port, threads):
    """Serve the app with waitress, a production WSGI server."""
    from waitress import serve

    click.echo(f"Handlingsplaner körs på http://{host}:{port}/ (avsluta med Ctrl+C)")
    serve(current_app._get_current_object(), host=host, port=port, threads=threads, ident="tracker")


def register_commands(app) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(user_group)
    app.cli.add_command(serve_command)


def _create_app():
    from tracker import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, add_default_commands=False, add_version_option=False,
                  help="Handlingsplan tracker. Kör 'tracker db upgrade', 'tracker demo', 'tracker serve'.")
