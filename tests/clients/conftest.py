"""End-to-end client tests: people signed up through the API, and the server log on failure."""

from __future__ import annotations

import itertools
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from mastodon import Mastodon

from tests.clients.helpers import OOB, PASSWORD, SCOPES, Person, SignUp, new_client

_LOG_START = pytest.StashKey[int]()
_LOGS: dict[str, Path] = {}  # module name -> its live server's log


@pytest.fixture(scope="module", autouse=True)
def server_log(
    request: pytest.FixtureRequest, live_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Path | None:
    """The server.log of this module's live server (found by its port)."""
    port = live_server.rsplit(":", 1)[1]
    for path in sorted(tmp_path_factory.getbasetemp().glob("live*/server.log")):
        if f"127.0.0.1:{port}" in path.read_text(errors="replace"):
            _LOGS[request.module.__name__] = path
            return path
    return None


@pytest.fixture(autouse=True)
def _server_log_window(request: pytest.FixtureRequest, server_log: Path | None) -> Iterator[None]:
    """Remember where the log stood when the test began."""
    if server_log is not None:
        request.node.stash[_LOG_START] = server_log.stat().st_size
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    module = getattr(item, "module", None)
    path = _LOGS.get(module.__name__) if module is not None else None
    if not report.failed or path is None or report.when == "teardown":
        return
    with path.open("rb") as log:
        log.seek(item.stash.get(_LOG_START, 0))
        written = log.read().decode(errors="replace").splitlines()
    shown = "\n".join(written[-150:])
    report.sections.append(("roost server.log during this test (last 150 lines)", shown))


_serial = itertools.count(1)


@pytest.fixture(scope="module")
def app(live_server: str) -> tuple[str, str]:
    """A registered client app: (client_id, client_secret)."""
    return Mastodon.create_app(
        "roost e2e", scopes=SCOPES, redirect_uris=OOB, api_base_url=live_server
    )


@pytest.fixture(scope="module")
def sign_up(live_server: str, app: tuple[str, str]) -> SignUp:
    """Register a new person with Mastodon.py's create_account (a client_credentials token)."""

    def make(prefix: str) -> Person:
        username = f"{prefix}{next(_serial)}"
        email = f"{username}@example.com"
        api = new_client(live_server, app)
        token = api.create_account(username, PASSWORD, email, agreement=True, scopes=SCOPES)
        assert isinstance(token, str) and token
        me = api.account_verify_credentials()
        assert me.username == username
        return Person(api, username, email, str(me.id))

    return make
