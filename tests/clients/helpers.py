"""What a person does by hand in the end-to-end tests: refresh, and click through a page."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, TypeVar
from urllib.parse import urljoin

import httpx
from mastodon import Mastodon

T = TypeVar("T")

PASSWORD = "correct horse battery staple 42"
SCOPES = ["read", "write", "follow", "push"]
OOB = "urn:ietf:wg:oauth:2.0:oob"


@dataclass
class Person:
    """Someone signed up through the API, holding a logged-in Mastodon.py client."""

    api: Mastodon
    username: str
    email: str
    id: str


SignUp = Callable[[str], Person]


def new_client(base: str, app: tuple[str, str]) -> Mastodon:
    return Mastodon(client_id=app[0], client_secret=app[1], api_base_url=base)


def ids(statuses: Any) -> list[str]:
    return [str(status.id) for status in statuses]


def flat(pages: Any) -> list[str]:
    return [status_id for page in pages for status_id in ids(page)]


def pages_forward(api: Mastodon, first: Any) -> Iterator[Any]:
    """Every non-empty page, following the ``next`` Link like a person scrolling down."""
    page = first
    while page:
        yield page
        page = api.fetch_next(page)


def pages_backward(api: Mastodon, last: Any) -> Iterator[Any]:
    """Every non-empty page newer than ``last``, following ``prev`` links upward."""
    page = api.fetch_previous(last)
    while page:
        yield page
        page = api.fetch_previous(page)


def eventually(read: Callable[[], T], done: Callable[[T], bool], timeout: float = 5.0) -> T:
    """Re-read (as a person refreshes) until ``done`` holds; return the last read either way.

    Home-timeline fan-out and notifications are delivered after the write returns, so
    a follower's view is polled for a few seconds before the caller asserts on it.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


@dataclass
class Form:
    action: str
    method: str
    inputs: list[dict[str, str]] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)
    text: str = ""


class Page(HTMLParser):
    """The forms of a page and the text of the element with id="authorization-code"."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.code: str | None = None
        self._form: Form | None = None
        self._button: dict[str, str] | None = None
        self._code_tag: str | None = None
        self._code_depth = 0
        self._code_text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if self._code_tag is not None and tag == self._code_tag:
            self._code_depth += 1
        if attr.get("id") == "authorization-code":
            if attr.get("value"):
                self.code = attr["value"].strip()
            elif tag not in {"input", "br", "img"}:
                self._code_tag, self._code_depth, self._code_text = tag, 1, []
        if tag == "form":
            self._form = Form(attr.get("action", ""), attr.get("method", "get").lower())
            self.forms.append(self._form)
        elif self._form is not None and tag in {"input", "select", "textarea"}:
            kind = attr.get("type", "text").lower()
            if kind in {"submit", "image"}:
                self._form.buttons.append(attr)
            else:
                self._form.inputs.append({**attr, "type": kind})
        elif (
            self._form is not None
            and tag == "button"
            and attr.get("type", "submit").lower() == "submit"
        ):
            self._button = dict(attr)
            self._form.buttons.append(self._button)

    def handle_endtag(self, tag: str) -> None:
        if self._code_tag is not None and tag == self._code_tag:
            self._code_depth -= 1
            if self._code_depth == 0:
                self.code = "".join(self._code_text).strip()
                self._code_tag = None
        if tag == "form":
            self._form = None
        if tag == "button":
            self._button = None

    def handle_data(self, data: str) -> None:
        if self._code_tag is not None:
            self._code_text.append(data)
        if self._button is not None:
            self._button["text"] = self._button.get("text", "") + data
        if self._form is not None:
            self._form.text += data


_YES = ("authori", "approve", "allow", "accept", "log in", "login", "sign in", "continue")
_NO = ("deny", "reject", "cancel", "decline")


def _words(button: dict[str, str]) -> str:
    return " ".join(button.get(key, "") for key in ("name", "value", "text")).lower()


def _score(form: Form, approve: bool) -> int:
    wanted, unwanted = (_YES, _NO) if approve else (_NO, _YES)
    score = 0
    if any(field["type"] == "password" for field in form.inputs):
        score += 4
    for button in form.buttons:
        words = _words(button)
        score += 2 if any(w in words for w in wanted) else 0
        score -= 5 if any(w in words for w in unwanted) and len(form.buttons) == 1 else 0
    if form.method != "post":
        score -= 1
    return score


def _fill(form: Form, email: str, password: str, approve: bool) -> dict[str, str]:
    data: dict[str, str] = {}
    for field_ in form.inputs:
        name, kind = field_.get("name"), field_["type"]
        if not name:
            continue
        lowered = name.lower()
        if kind == "password":
            data[name] = password
        elif kind == "email" or any(w in lowered for w in ("email", "username", "login")):
            data[name] = email
        elif kind in {"checkbox", "radio"}:
            if "checked" in field_:
                data[name] = field_.get("value") or "on"
        else:
            data[name] = field_.get("value", "")
    words = _YES if approve else _NO
    preferred = [b for b in form.buttons if any(w in _words(b) for w in words)]
    chosen = (preferred or form.buttons or [{}])[0]
    if chosen.get("name"):
        data[chosen["name"]] = chosen.get("value", "")
    return data


@dataclass
class Outcome:
    """Where the browser ended: the out-of-band code if one was shown, and the last page."""

    code: str | None
    status_code: int
    text: str


def authorize_in_browser(url: str, email: str, password: str, *, approve: bool = True) -> Outcome:
    """Open the authorize page, sign in, approve (or deny), and read the out-of-band code.

    Submits the page's form up to four times, as a person would retry; a page with no
    form and no code (a refusal) ends the walk.
    """
    with httpx.Client(follow_redirects=True, timeout=10) as browser:
        response = browser.get(url)
        for _ in range(4):
            assert response.status_code < 500, (response.url, response.status_code, response.text)
            assert "text/html" in response.headers.get("content-type", ""), response.headers
            page = Page(response.text)
            if page.code or not page.forms:
                break
            form = max(page.forms, key=lambda form: _score(form, approve))
            data = _fill(form, email, password, approve)
            response = browser.request(
                form.method.upper(),
                urljoin(str(response.url), form.action),
                data=data if form.method == "post" else None,
                params=data if form.method != "post" else None,
            )
        page = Page(response.text)
        return Outcome(page.code, response.status_code, response.text)


def code_from_browser(url: str, email: str, password: str) -> str:
    """The code a person approving the request copies from the page."""
    outcome = authorize_in_browser(url, email, password)
    assert outcome.status_code == 200, outcome
    assert outcome.code, f"no element with id=authorization-code:\n{outcome.text}"
    return outcome.code
