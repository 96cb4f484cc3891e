"""Browser tests: the app served on a free local port, driven by Debian's Chromium."""

import threading

import pytest
from werkzeug.serving import make_server

from tests.factories import PASSWORD
from tracker import create_app


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    }


@pytest.fixture(scope="session")
def live_server(app, database_url, tmp_path_factory):
    """The real app (CSRF on) against the test database, in a background thread."""
    served = create_app({"SECRET_KEY": "browser-test", "SQLALCHEMY_DATABASE_URI": database_url})
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def log_in(page, live_server):
    def log_in_as(user):
        page.goto(f"{live_server}/logga-in")
        page.get_by_label("E-postadress").fill(user.email)
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url(f"{live_server}/planer")
        return page

    return log_in_as
