"""The app's log on standard output: its own lines and the security log (logger `tracker` and its children)
and one access line per request (`tracker.access`: time, request id, user id, method, path, status, ms).

TRACKER_LOG_FORMAT=json writes every line as one JSON object for a log collector; the default is plain text.
Each request gets an id (the proxy's X-Request-ID when it sends a sane one), answered as X-Request-ID and
named in every line logged while the request runs."""

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

LOGGER = "tracker"
access_log = logging.getLogger("tracker.access")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
FIELDS = ("request_id", "user_id", "method", "path", "status", "ms")


# A server logs to standard output, where the service manager collects it; any other command keeps its standard
# output for what it tells the operator, and logs to standard error (`tracker.__main__` says which).
_stream_name = "stdout"


def log_to_stderr() -> None:
    global _stream_name
    _stream_name = "stderr"


class _Stdout(logging.StreamHandler):
    """Writes to whatever sys.stdout (or sys.stderr) is when the line is written (a test runner swaps it)."""

    @property
    def stream(self):
        return getattr(sys, _stream_name)

    @stream.setter
    def stream(self, value):
        pass


class _RequestContext(logging.Filter):
    """Names the running request in every line logged while it runs."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


def _time(record) -> str:
    return datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")


class JsonFormatter(logging.Formatter):
    def format(self, record):
        line = {"time": _time(record), "level": record.levelname, "logger": record.name}
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None or record.name == access_log.name:  # an access line names all, null or not
                line[field] = value
        message = record.getMessage()
        if record.name == "tracker.security":
            line["security"] = json.loads(message)  # already one JSON object: kept as one, not quoted
        else:
            line["message"] = message
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record):
        request_id = f" [{record.request_id}]" if getattr(record, "request_id", None) else ""
        line = f"{_time(record)} {record.levelname} {record.name}{request_id}: {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure(log_format: str) -> None:
    """One handler on the `tracker` logger, replaced when an app is created again (the tests make many)."""
    logger = logging.getLogger(LOGGER)
    for handler in [h for h in logger.handlers if isinstance(h, _Stdout)]:
        logger.removeHandler(handler)
    handler = _Stdout()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(_RequestContext())
    logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


def handle_every_logger() -> None:
    """For a server process: the handler moves to the root logger, so that the server's own lines (waitress)
    are written the same way, and nothing is written twice (waitress adds a stderr handler to a bare root)."""
    tracker, root = logging.getLogger(LOGGER), logging.getLogger()
    for handler in [h for h in tracker.handlers if isinstance(h, _Stdout)]:
        tracker.removeHandler(handler)
        for other in [h for h in root.handlers if isinstance(h, _Stdout)]:
            root.removeHandler(other)
        root.addHandler(handler)


def _start():
    g.request_started = time.perf_counter()
    sent = request.headers.get("X-Request-ID", "")
    g.request_id = sent if REQUEST_ID.match(sent) else uuid.uuid4().hex


def _log_access(response):
    from flask_login import current_user

    ms = round((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 1)
    # The user's id, never get_id(): that is the session's token.
    user_id = current_user.id if current_user and current_user.is_authenticated else None
    request_id = g.get("request_id")
    response.headers["X-Request-ID"] = request_id
    fields = {"request_id": request_id, "user_id": user_id, "method": request.method, "path": request.path,
              "status": response.status_code, "ms": ms}
    access_log.info("%s %s %s %sms user=%s", request.method, request.path, response.status_code, ms,
                    user_id or "-", extra=fields)
    return response


def init_app(app: Flask) -> None:
    configure(app.config["LOG_FORMAT"])
    app.before_request(_start)
    app.after_request(_log_access)
