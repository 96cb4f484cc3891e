"""The `tracker` command (also `python -m tracker`): the app's commands, registered by create_app."""

from flask.cli import FlaskGroup

from tracker import create_app

main = FlaskGroup(create_app=create_app, add_default_commands=False, add_version_option=False,
                  help="Handlingsplan tracker. Kör 'tracker db upgrade', 'tracker demo', 'tracker serve'.")

if __name__ == "__main__":
    main()
