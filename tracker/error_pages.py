"""Refusals and failures as Swedish pages (or the fragment an htmx request swaps in)."""

from flask import current_app, render_template, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tracker.extensions import db
from tracker.pages import is_htmx

ERROR_TEXTS = {
    400: "Begäran kunde inte behandlas.",
    403: "Du har inte behörighet att göra detta.",
    404: "Sidan eller posten finns inte.",
    405: "Metoden är inte tillåten här.",
    409: "Posten har ändrats av någon annan.",
    413: "Filen är för stor för att laddas upp.",
    429: "För många försök på kort tid. Vänta en stund och försök igen.",
    500: "Ett oväntat fel uppstod. Försök igen, och kontakta förvaltaren om det upprepas.",
}


def _page(code: int, message: str, link: str | None = None, link_text: str | None = None):
    template = "errors/_message.html" if is_htmx() else "errors/error.html"
    return render_template(template, code=code, message=message, link=link, link_text=link_text), code


def http_error(error: HTTPException):
    if error.response is not None:  # an answer made for this refusal (a throttled login says until when)
        return error.response
    code = error.code or 500
    if code >= 500:  # whatever failed may have left the transaction unusable; the page still needs the user
        db.session.rollback()
    # Our own abort(code, "…") messages are Swedish; werkzeug's defaults are not.
    own_message = error.description != type(error).description
    message = error.description if own_message else ERROR_TEXTS.get(code)
    if code == 413:
        limit = current_app.config["IMPORT_MAX_BYTES"] / 1024 / 1024
        message = f"{ERROR_TEXTS[413]} Största tillåtna storlek för en import är {limit:g} MB."
    if isinstance(error, CSRFError):
        message = "Formuläret har gått ut eller saknar säkerhetstoken. Ladda om sidan och försök igen."
    return _page(code, message or ERROR_TEXTS[500])


def structure_locked(error):
    """A change to a fastställd plan's structure, from any path: refused, nothing written."""
    db.session.rollback()
    return _page(409, str(error))


def changed_since_seen(error):
    """A decision taken on a page that no longer shows what is there: refused, nothing written; the message links
    to the change."""
    db.session.rollback()
    endpoint, arguments = error.link
    return _page(409, error.message, url_for(endpoint, **arguments), error.link_text)
