"""`tracker serve`: waitress, in this process or in several worker processes sharing one listening socket.

With --workers N the socket is opened once and N processes (forked) each serve it with their own threads; the
kernel hands every new connection to one of them. A worker that dies is replaced; SIGTERM or Ctrl+C stops all.
The processes share nothing but the database (exports, previews and sessions live there)."""

import logging
import os
import signal
import socket

from waitress import serve

from tracker import logging_setup

logger = logging.getLogger("tracker.serve")


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=1024)
    sock.set_inheritable(True)
    return sock


def serve_app(app, host: str, port: int, threads: int, workers: int) -> None:
    logging_setup.handle_every_logger()
    if workers <= 1:
        serve(app, host=host, port=port, threads=threads, ident="tracker")
        return
    sock = listen(host, port)
    from tracker.extensions import db

    with app.app_context():
        db.engine.dispose()  # no connection opened here may be shared by the forked workers
    children: dict[int, int] = {}
    stopping = False

    def start(number: int) -> None:
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            try:
                serve(app, sockets=[sock], threads=threads, ident="tracker")
            finally:
                os._exit(0)
        children[pid] = number
        logger.info("worker %s started (pid %s)", number, pid)

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for number in range(1, workers + 1):
        start(number)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        number = children.pop(pid, None)
        if number is not None and not stopping:
            logger.warning("worker %s (pid %s) ended with status %s: starting a new one", number, pid, status)
            start(number)
    sock.close()
