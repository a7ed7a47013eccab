"""Sign up, log in, log out, settings and the forms' defences, in a real browser."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.browser.site import CSRF_FIELD, PASSWORD, Site, bearer


def submit(page: Page, form: str) -> None:
    page.locator(f"form#{form}").locator("button[type=submit], input[type=submit]").first.click()


def fill_signup(page: Page, username: str, email: str, password: str) -> None:
    page.goto("/signup")
    form = page.locator("form#signup")
    form.locator("[name=username]").fill(username)
    form.locator("[name=email]").fill(email)
    form.locator("[name=password]").fill(password)
    form.locator("input[type=checkbox][name=agreement]").check()
    submit(page, "signup")


def test_every_form_field_has_a_visible_label(site: Site) -> None:
    page = site.page()
    for address, form in [("/signup", "signup"), ("/login", "login")]:
        page.goto(address)
        fields = page.locator(f"form#{form} input:not([type=hidden]):not([type=submit])")
        assert fields.count() >= 2
        for field in fields.all():
            name = field.get_attribute("name")
            # getByLabel finds it, and the label text is on screen.
            label = page.locator(f"form#{form} label", has=page.locator(f'[name="{name}"]'))
            if label.count() == 0:
                label = page.locator(f'form#{form} label[for="{field.get_attribute("id")}"]')
            expect(label.first, f"{address}: {name} has no label").to_be_visible()


def test_sign_up_mistakes_get_clear_messages(site: Site) -> None:
    page = site.page()
    site.signup(page, "ivan")

    other = site.page()
    fill_signup(other, "ivan", "someone.else@example.com", PASSWORD)
    error = other.locator(".form-error")
    expect(error.first).to_be_visible()
    expect(error.first).to_contain_text(re.compile(r"taken|already|in use", re.I))
    assert "/signup" in other.url
    expect(other.locator("nav#main-nav form#logout")).to_have_count(0)

    fill_signup(other, "judy", "judy@example.com", "short")
    expect(other.locator(".form-error").first).to_contain_text(re.compile(r"password", re.I))
    assert site.api.get("/api/v1/accounts/lookup", params={"acct": "judy"}).status_code == 404

    fill_signup(other, "bad name!", "judy@example.com", PASSWORD)
    expect(other.locator(".form-error").first).to_contain_text(re.compile(r"username", re.I))


def test_wrong_password_is_refused_with_a_message(site: Site) -> None:
    site.register("kate")
    page = site.page()
    page.goto("/login")
    form = page.locator("form#login")
    form.locator("[name=email]").fill("kate@example.com")
    form.locator("[name=password]").fill("not the password at all")
    submit(page, "login")
    expect(page.locator(".form-error").first).to_contain_text(
        re.compile(r"password|incorrect|invalid", re.I)
    )
    page.goto("/home")
    expect(page.locator("form#login")).to_be_visible()
    site.login(page, "kate")
    expect(page.locator("form#compose")).to_be_visible()


def test_session_cookie_is_httponly_and_samesite(site: Site) -> None:
    site.register("liam")
    page = site.person("liam")
    cookies = page.context.cookies()
    assert cookies, "signing in sets no cookie"
    session = [c for c in cookies if c["httpOnly"]]
    assert session, "no HttpOnly session cookie"
    assert all(c["sameSite"] in ("Lax", "Strict") for c in session)
    assert not page.evaluate("document.cookie").count(session[0]["name"] + "=")


def test_logging_out_ends_the_session(site: Site) -> None:
    site.register("mallory")
    page = site.person("mallory")
    stolen = page.context.storage_state()
    page.locator("nav#main-nav form#logout").locator("button, input[type=submit]").first.click()
    page.wait_for_load_state("load")
    page.goto("/home")
    expect(page.locator("form#login")).to_be_visible()

    # The old cookie, replayed from another browser, opens nothing.
    replay = site.context(storage_state=stolen).new_page()
    replay.goto("/home")
    expect(replay.locator("form#login")).to_be_visible()
    expect(replay.locator("form#compose")).to_have_count(0)
    # Logged out, / is the explore page, readable by anyone.
    replay.goto("/")
    expect(replay.locator("#timeline")).to_be_visible()
    expect(replay.locator("form#compose")).to_have_count(0)


def test_forms_without_a_valid_csrf_token_are_refused(site: Site) -> None:
    token = site.register("niaj")
    page = site.person("niaj")
    page.goto("/home")
    form = page.locator("form#compose")
    action = form.get_attribute("action") or "/home"
    real = form.locator(CSRF_FIELD)
    expect(real).to_have_count(1)
    field = real.get_attribute("name") or "csrf_token"
    good = real.input_value()
    assert good

    def send(csrf: str | None, text: str) -> int:
        data: dict[str, str | float | bool] = {"status": text, "visibility": "public"}
        if csrf is not None:
            data[field] = csrf
        response = page.request.post(action, form=data, max_redirects=0)
        return response.status

    assert send("forged" + good[6:], "forged token") == 403
    assert send(None, "no token") == 403
    assert send("", "empty token") == 403
    mine = site.call(token, "GET", f"/api/v1/accounts/{site.account_id('niaj')}/statuses")
    assert mine == [], "a refused form still posted"
    # The same request with the page's own token goes through.
    assert send(good, "real token") in (200, 201, 204, 302, 303)
    mine = site.call(token, "GET", f"/api/v1/accounts/{site.account_id('niaj')}/statuses")
    assert [s["content"] for s in mine] == ["<p>real token</p>"]

    # Logging out is a form too: a forged one leaves the session alive.
    logout = page.locator("form#logout")
    out_action = logout.get_attribute("action") or "/logout"
    forged = page.request.post(out_action, form={field: "forged"}, max_redirects=0)
    assert forged.status == 403
    page.goto("/home")
    expect(page.locator("form#compose")).to_be_visible()


def test_settings_change_the_profile(site: Site) -> None:
    site.register("olivia")
    page = site.person("olivia")
    page.goto("/settings")
    form = page.locator("form#profile-form")
    form.locator("[name=display_name]").fill("Olivia Okafor")
    form.locator("[name=note]").fill("Birdwatcher & baker. Ask me about #sourdough")
    submit(page, "profile-form")
    page.wait_for_load_state("load")
    page.goto("/@olivia")
    profile = page.locator("#profile")
    expect(profile.locator(".display-name")).to_have_text(re.compile(r"^\s*Olivia Okafor\s*$"))
    expect(profile.locator(".bio")).to_contain_text("Birdwatcher & baker. Ask me about #sourdough")
    account = site.api.get("/api/v1/accounts/lookup", params={"acct": "olivia"}).json()
    assert account["display_name"] == "Olivia Okafor"
    # The settings form shows the saved values back.
    page.goto("/settings")
    expect(page.locator("form#profile-form [name=display_name]")).to_have_value("Olivia Okafor")


def test_settings_revoke_an_authorized_app(site: Site) -> None:
    site.register("peggy")
    app = site.app("Pocket Toot")
    token = site.password_token("peggy", app=app)
    check = site.api.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    assert check.status_code == 200

    page = site.person("peggy")
    page.goto("/settings")
    entry = page.locator("#apps .app", has_text="Pocket Toot")
    expect(entry).to_have_count(1)
    page.on("dialog", lambda dialog: dialog.accept())
    entry.locator("button.revoke").click()
    expect(page.locator("#apps .app", has_text="Pocket Toot")).to_have_count(0)

    check = site.api.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    assert check.status_code == 401
    page.reload()
    expect(page.locator("#apps .app", has_text="Pocket Toot")).to_have_count(0)
    # The browser session itself is not an app and survives.
    expect(page.locator("form#profile-form")).to_be_visible()


def test_password_change_signs_out_other_sessions(site: Site) -> None:
    site.register("quinn")
    laptop = site.person("quinn")
    phone = site.person("quinn", "phone")
    laptop.goto("/settings")
    form = laptop.locator("form#password-form")
    form.locator("[name=current_password]").fill("wrong guess")
    form.locator("[name=new_password]").fill("a brand new passphrase")
    submit(laptop, "password-form")
    expect(laptop.locator(".form-error").first).to_be_visible()
    phone.goto("/home")
    expect(phone.locator("form#compose")).to_be_visible()

    laptop.goto("/settings")
    form = laptop.locator("form#password-form")
    form.locator("[name=current_password]").fill(PASSWORD)
    form.locator("[name=new_password]").fill("a brand new passphrase")
    submit(laptop, "password-form")
    laptop.wait_for_load_state("load")

    phone.goto("/home")
    expect(phone.locator("form#login")).to_be_visible()
    laptop.goto("/home")
    expect(laptop.locator("form#compose")).to_be_visible()
    app = site.app("Password check")

    def grant(password: str) -> int:
        response = site.api.post(
            "/oauth/token",
            data={
                "grant_type": "password",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "username": "quinn@example.com",
                "password": password,
                "scope": "read",
            },
        )
        return response.status_code

    assert grant(PASSWORD) in (400, 401)
    assert grant("a brand new passphrase") == 200
    site.login(phone, "quinn", password="a brand new passphrase")


def test_authorize_page_approves_an_app(site: Site) -> None:
    site.register("rupert")
    app = site.app("Roost for Desktop")
    page = site.page()
    page.goto(
        f"/oauth/authorize?client_id={app['client_id']}&response_type=code"
        "&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read"
    )
    expect(page.locator("body")).to_contain_text("Roost for Desktop")
    page.locator("[name=email]").fill("rupert@example.com")
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("button[value=approve]").click()
    code = page.locator("#authorization-code").inner_text().strip()
    assert code
    response = httpx.post(
        f"{site.base_url}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        },
    )
    assert response.status_code == 200, response.text


def test_the_phone_tab_bar_is_labelled_and_log_out_is_in_settings(site: Site) -> None:
    site.register("pia")
    page = site.page("phone")
    site.login(page, "pia")
    page.goto("/home")
    tabs = page.locator("nav#main-nav .nav-link:visible")
    expect(tabs).to_have_count(5)
    for tab in tabs.all():
        expect(tab.locator(".label")).to_be_visible()
        expect(tab).to_have_accessible_name(tab.locator(".label").inner_text())
    assert [t.inner_text().strip() for t in tabs.all()] == [
        "Home",
        "Explore",
        "Notifications",
        "Search",
        "Profile",
    ]
    expect(page.locator("nav#main-nav form#logout")).to_be_hidden()
    # Settings is one tap away on one's own profile; Log out is at its end.
    page.locator("nav#main-nav").get_by_role("link", name="Profile", exact=True).click()
    page.locator("#profile a[href='/settings']").click()
    page.wait_for_url(re.compile(r"/settings$"))
    page.locator("form#settings-logout button").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/home")
    expect(page.locator("form#login")).to_be_visible()
