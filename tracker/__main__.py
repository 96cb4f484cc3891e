"""The `tracker` command (also `python -m tracker`): the app's commands, registered by create_app.

What goes wrong is said in Swedish with exit 2 (the call or a setting is wrong) or 1 (the world failed), never
as a traceback: an argument that is not UTF-8, a setting the app cannot use, a file the system refuses."""

import sys

import click
from flask.cli import FlaskGroup

from tracker import create_app, logging_setup
from tracker.cli import WORLD_FAILED, WRONG_ARGUMENT, reason
from tracker.config import ConfigError

group = FlaskGroup(create_app=create_app, add_default_commands=False, add_version_option=False,
                   help="Handlingsplan tracker. Kör 'tracker db upgrade', 'tracker demo', 'tracker serve'.")


def _not_utf8(argument: str) -> bool:
    """Bytes that were not UTF-8 reach Python as lone surrogates (PEP 383)."""
    return any("\udc80" <= char <= "\udcff" for char in argument)


def main(args: list[str] | None = None) -> None:
    args = sys.argv[1:] if args is None else args
    for argument in args:
        if _not_utf8(argument):
            shown = argument.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            click.echo(f"Fel: argumentet ”{shown}” är inte giltig UTF-8; skriv det med terminalens "
                       "UTF-8-kodning.", err=True)
            sys.exit(WRONG_ARGUMENT)
    if args[:1] != ["serve"]:
        logging_setup.log_to_stderr()
    try:
        group.main(args=args, prog_name="tracker")
    except ConfigError as error:
        click.echo(f"Fel i inställningarna: {error}", err=True)
        sys.exit(WRONG_ARGUMENT)
    except OSError as error:
        where = f" ({error.filename})" if error.filename else ""
        click.echo(f"Fel: systemet vägrade{where}: {reason(error)}.", err=True)
        sys.exit(WORLD_FAILED)


if __name__ == "__main__":
    main()
