"""Real server processes for the deployment tests: `tracker serve` started as a subprocess on a free port,
and a browser-like client that logs in through the login form (with its CSRF token)."""

import os
import re
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.conftest import HISTORY_KEY

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(**settings: str) -> dict:
    """This process's environment without any TRACKER_ setting, with `settings` instead; the history's key is the
    test process's, so that the servers and the tests verify each other's entries."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("TRACKER_")}
    return {**env, "TRACKER_SECRET_KEY": "deploy-test-secret", "TRACKER_HISTORY_KEYS": HISTORY_KEY, **settings}


def run(command: list[str], env: dict, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(command)} → {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


@contextmanager
def serving(tracker: str, env: dict, cwd: Path, *arguments: str):
    """`tracker serve` on a free port until the block ends; yields its base URL and where its output goes."""
    port = free_port()
    log = cwd / f"serve-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen([tracker, "serve", "--host", "127.0.0.1", "--port", str(port), *arguments],
                                   env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"tracker serve ended at once:\n{log.read_text()}"
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, f"tracker serve did not answer:\n{log.read_text()}"
            time.sleep(0.2)
        yield base, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def csrf_token(page: str) -> str:
    match = CSRF.search(page)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Browser(requests.Session):
    """A client of one server: relative URLs, login through the form."""

    def __init__(self, base: str):
        super().__init__()
        self.base = base

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", 30)
        return super().request(method, self.base + url if url.startswith("/") else url, *args, **kwargs)

    def log_in(self, email: str, password: str) -> None:
        token = csrf_token(self.get("/logga-in").text)
        response = self.post("/logga-in", data={"csrf_token": token, "email": email, "password": password})
        assert response.status_code == 200 and "Logga ut" in response.text, response.text[:2000]
