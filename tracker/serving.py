"""`tracker serve`: waitress, in this process or in several worker processes sharing one listening socket.

The socket is opened before anything is announced, so that a port already in use is said (PortInUse) and
nothing starts. With --workers N it is opened once and N processes (forked) each serve it with their own threads;
the kernel hands every new connection to one of them. A worker that dies is replaced; SIGTERM or Ctrl+C stops all,
and a worker whose master is gone (killed with SIGKILL) ends too instead of serving unsupervised.
The processes share nothing but the database (exports, previews and sessions live there)."""

import ctypes
import errno
import logging
import os
import signal
import socket
import sys
import threading
import time

from waitress import serve

from tracker import logging_setup

logger = logging.getLogger("tracker.serve")


class PortInUse(Exception):
    """The address is taken (another `tracker serve`, or another program), or may not be used."""


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family, backlog=1024)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise PortInUse(f"Porten {port} på {host} används redan, kanske av en annan `tracker serve`. Stoppa den "
                            "eller välj en annan port med --port.") from error
        raise PortInUse(f"Det går inte att lyssna på {host}:{port}: {error.strerror}.") from error
    sock.set_inheritable(True)
    return sock


def _end_with_master(master: int) -> None:
    """In a worker: SIGTERM when the master dies (Linux's parent-death signal), and a watch on the parent for
    where that is not had or came too late (the master died before the worker asked)."""
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    def watch():
        while os.getppid() == master:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="master-watch", daemon=True).start()


def serve_app(app, sock: socket.socket, threads: int, workers: int) -> None:
    """Serve on `sock` (from `listen`) until stopped."""
    logging_setup.handle_every_logger()
    if workers <= 1:
        serve(app, sockets=[sock], threads=threads, ident="tracker")
        return
    from tracker.extensions import db

    with app.app_context():
        db.engine.dispose()  # no connection opened here may be shared by the forked workers
    children: dict[int, int] = {}
    stopping = False

    master = os.getpid()

    def start(number: int) -> None:
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            _end_with_master(master)
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
