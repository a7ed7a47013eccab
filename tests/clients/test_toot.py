"""The ``toot`` command-line client, unchanged from PyPI, against a live ``roost serve``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mastodon import Mastodon

from tests.clients.helpers import PASSWORD, Person, SignUp, code_from_browser, eventually

TOOT = str(Path(sys.executable).with_name("toot"))


@dataclass
class TootUser:
    person: Person  # the same person through Mastodon.py, to check what toot did
    home: Path  # toot's own config and cache live here, nowhere else

    @property
    def api(self) -> Mastodon:
        return self.person.api

    @property
    def username(self) -> str:
        return self.person.username

    @property
    def email(self) -> str:
        return self.person.email

    @property
    def id(self) -> str:
        return self.person.id

    @property
    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("TOOT_")}
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / "config"),
            XDG_CACHE_HOME=str(self.home / "cache"),
            COLUMNS="100",
            PYTHONUNBUFFERED="1",
        )
        return env

    def toot(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        """Run toot as this person, with no terminal and no stdin."""
        done = subprocess.run(
            [TOOT, *args],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if ok:
            assert done.returncode == 0, f"toot {args} failed:\n{done.stdout}\n{done.stderr}"
        return done

    def toot_json(self, *args: str) -> Any:
        return json.loads(self.toot(*args, "--json").stdout)


NewTootUser = Callable[[str], TootUser]


@pytest.fixture(scope="module")
def toot_user(sign_up: SignUp, tmp_path_factory: pytest.TempPathFactory) -> NewTootUser:
    """A person registered through the API (toot cannot register), not yet logged into toot."""

    def make(prefix: str) -> TootUser:
        person = sign_up(prefix)
        return TootUser(person, tmp_path_factory.mktemp(f"toot-{person.username}"))

    return make


@pytest.fixture(scope="module")
def login(live_server: str, toot_user: NewTootUser) -> NewTootUser:
    """A person logged into toot with ``toot login_cli``."""

    def make(prefix: str) -> TootUser:
        user = toot_user(prefix)
        user.toot(
            "login_cli", "--instance", live_server, "--email", user.email, "--password", PASSWORD
        )
        return user

    return make


def test_login_cli_whoami_and_auth(toot_user: NewTootUser, live_server: str) -> None:
    tina = toot_user("tina")
    done = tina.toot(
        "login_cli", "--instance", live_server, "--email", tina.email, "--password", PASSWORD
    )
    assert "Successfully logged in" in done.stdout
    domain = live_server.removeprefix("http://")
    config = json.loads((tina.home / "config" / "toot" / "config.json").read_text())
    assert config["active_user"] == f"{tina.username}@{domain}"
    assert config["apps"][domain]["base_url"] == live_server

    assert f"@{tina.username}" in tina.toot("whoami").stdout
    assert tina.toot_json("whoami")["username"] == tina.username
    assert f"{tina.username}@{domain}" in tina.toot("auth").stdout


def test_login_cli_wrong_password(toot_user: NewTootUser, live_server: str) -> None:
    umar = toot_user("umar")
    done = umar.toot(
        "login_cli",
        "--instance",
        live_server,
        "--email",
        umar.email,
        "--password",
        "nope",
        ok=False,
    )
    assert done.returncode != 0
    assert "Login failed" in done.stderr
    config = umar.home / "config" / "toot" / "config.json"
    users = json.loads(config.read_text())["users"] if config.exists() else {}
    assert users == {}


def test_login_in_the_browser(toot_user: NewTootUser, live_server: str) -> None:
    """``toot login``: toot prints the authorize URL, the person approves in a browser and
    types the code shown there back into toot (the one test that writes to toot's stdin)."""
    xavi = toot_user("xavi")
    with subprocess.Popen(
        [TOOT, "login", "--instance", live_server],
        env=xavi.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        watchdog = threading.Timer(60, process.kill)
        watchdog.start()
        try:
            assert process.stdout is not None and process.stderr is not None
            url = ""
            while not url and (line := process.stdout.readline()):
                if line.startswith(f"{live_server}/oauth/authorize"):
                    url = line.strip()
            assert url, f"toot printed no authorize URL:\n{process.stderr.read()}"
            code = code_from_browser(url, xavi.email, PASSWORD)
            out, err = process.communicate(f"n\n{code}\n", timeout=60)
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
    assert process.returncode == 0, f"{out}\n{err}"
    assert "Successfully logged in" in out
    assert xavi.toot_json("whoami")["username"] == xavi.username


def test_instance(live_server: str, toot_user: NewTootUser) -> None:
    vera = toot_user("vera")
    shown = vera.toot("instance", live_server).stdout
    assert live_server.removeprefix("http://") in shown
    assert "running Mastodon 4." in shown


def test_post_follow_and_timelines(login: NewTootUser) -> None:
    ulf, wren = login("ulf"), login("wren")

    done = ulf.toot("post", "First toot from the command line")
    assert "Toot posted:" in done.stdout
    [first] = ulf.api.account_statuses(ulf.id)
    assert "First toot from the command line" in first.content
    assert done.stdout.strip().endswith(first.url)

    done = wren.toot("follow", ulf.username)
    assert f"You are now following {ulf.username}" in done.stdout
    [relationship] = wren.api.account_relationships(ulf.id)
    assert relationship.following is True
    follows = f"@{wren.username} now follows you"
    notes = eventually(lambda: ulf.toot("notifications").stdout, lambda out: follows in out)
    assert follows in notes, notes

    posted = ulf.toot_json("post", "Second toot, pelicans everywhere")
    assert posted["id"].isdigit()
    assert "scheduled_at" not in posted
    quiet = ulf.toot_json(
        "post", "Quiet toot", "--visibility", "unlisted", "--spoiler-text", "birds", "--sensitive"
    )
    assert (quiet["visibility"], quiet["spoiler_text"], quiet["sensitive"]) == (
        "unlisted",
        "birds",
        True,
    )

    # toot timeline (v1 pager) and toot timelines home (v2); refresh until fan-out lands.
    shown = eventually(
        lambda: wren.toot("timeline", "--once").stdout, lambda out: "pelicans" in out
    )
    assert "pelicans" in shown, shown
    assert f"@{ulf.username}" in shown
    shown = wren.toot("timelines", "home", "--no-pager", "--no-clear").stdout
    assert "pelicans" in shown
    assert "First toot from the command line" in shown

    # The author's own timeline shows the post at once; the account timeline too.
    assert "pelicans" in ulf.toot("timeline", "--once").stdout
    shown = wren.toot("timeline", "--account", ulf.username, "--once").stdout
    assert "pelicans" in shown and "First toot" in shown
    assert "pelicans" in wren.toot("timeline", "--public", "--once").stdout

    assert f"* @{ulf.username}" in wren.toot("following").stdout
    assert f"* @{wren.username}" in ulf.toot("followers").stdout
    done = wren.toot("unfollow", ulf.username)
    assert f"You are no longer following {ulf.username}" in done.stdout
    [relationship] = wren.api.account_relationships(ulf.id)
    assert relationship.following is False
    assert wren.toot("following").stdout.strip() == ""


def test_favourite_reblog_thread_search_delete(login: NewTootUser) -> None:
    xena, yuri = login("xena"), login("yuri")
    original = xena.toot_json("post", "Who else likes marmalade toast?")
    reply = yuri.toot_json("post", "Me, with butter", "--reply-to", original["id"])
    assert reply["in_reply_to_id"] == original["id"]

    assert "Status favourited" in yuri.toot("favourite", original["id"]).stdout
    assert "Status reblogged" in yuri.toot("reblog", original["id"]).stdout
    status = yuri.api.status(original["id"])
    assert (status.favourited, status.reblogged) == (True, True)

    thread = xena.toot("thread", original["id"]).stdout
    assert thread.index("marmalade") < thread.index("with butter")

    notes = eventually(
        lambda: xena.toot("notifications").stdout,
        lambda out: "favourited your status" in out and "boosted your status" in out,
    )
    assert "favourited your status" in notes and "boosted your status" in notes
    assert "mentioned you" not in notes  # the reply has no @-mention

    found = eventually(
        lambda: yuri.toot_json("search", "marmalade"),
        lambda result: original["id"] in [s["id"] for s in result["statuses"]],
    )
    assert original["id"] in [s["id"] for s in found["statuses"]]
    whois = yuri.toot("whois", xena.username).stdout
    assert f"@{xena.username}" in whois

    assert "Status deleted" in xena.toot("delete", original["id"]).stdout
    gone = xena.toot("status", original["id"], ok=False)
    assert gone.returncode != 0
    assert "marmalade" not in xena.toot("timeline", "--once").stdout
