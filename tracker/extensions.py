"""Flask extensions, created unbound and initialised in create_app."""

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

# Constraint names are fixed so that Alembic batch migrations on SQLite and
# PostgreSQL see the same schema.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(so.DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


# Objects stay loaded after the request's single commit, so the response can be
# rendered from them without reloading every row.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
# No default limits: only failed logins are counted (tracker.users.auth). The storage is RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address)
