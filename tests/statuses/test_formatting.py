from roost.accounts.models import Account
from roost.core.settings import get_settings
from roost.statuses.formatting import extract, status_length, to_html


def base() -> str:
    return get_settings().base_url  # the running app's, read when the test runs


def domain() -> str:
    return get_settings().domain


def test_extract_finds_local_mentions_tags_and_links_in_order_without_repeats() -> None:
    found = extract(
        "@Bob hi @carol@other.example and @bob again, @dave@"
        + domain()
        + " mail me@x.org #Café #café #123 #_x9 https://a.example/p?q=1.",
        domain=domain(),
    )
    assert found.mentions == ["bob", "dave"]
    assert found.tags == ["Café", "_x9"]
    assert found.urls == ["https://a.example/p?q=1"]


def test_links_count_as_23_characters() -> None:
    long_link = "https://example.com/" + "a" * 200
    assert status_length("hi " + long_link) == 3 + 23
    assert status_length("é" * 10) == 10
    assert status_length("http://x.y") == 23


def test_html_escapes_what_was_typed() -> None:
    html = to_html(
        '<script>alert(1)</script> "q" & <img src=x onerror=alert(1)>',
        {},
        base_url=base(),
        domain=domain(),
    )
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.startswith("<p>") and html.endswith("</p>")


def test_html_links_urls_mentions_and_tags() -> None:
    bob = Account(username="Bob", username_lower="bob")
    html = to_html(
        "@bob @nobody #Tag see https://example.com/x",
        {"bob": bob},
        base_url=base(),
        domain=domain(),
    )
    assert (
        f'<span class="h-card"><a href="{base()}/@Bob" class="u-url mention">'
        "@<span>Bob</span></a></span>"
    ) in html
    assert "@nobody" in html and f"{base()}/@nobody" not in html
    assert (
        f'<a href="{base()}/tags/tag" class="mention hashtag" rel="tag">#<span>Tag</span></a>'
    ) in html
    assert (
        '<a href="https://example.com/x" rel="nofollow noopener noreferrer" target="_blank">'
        in html
    )


def test_only_http_links_are_linked() -> None:
    html = to_html(
        "javascript:alert(1) data:text/html,x ftp://x.org", {}, base_url=base(), domain=domain()
    )
    assert "<a" not in html


def test_paragraphs_and_line_breaks() -> None:
    assert (
        to_html("one\ntwo\n\n\nthree", {}, base_url=base(), domain=domain())
        == "<p>one<br>two</p><p>three</p>"
    )
    assert to_html("  \n ", {}, base_url=base(), domain=domain()) == ""


def test_link_with_trailing_punctuation_and_parentheses() -> None:
    assert extract("(see https://x.org/a_(b)).", domain=domain()).urls == ["https://x.org/a_(b)"]
    assert extract("https://x.org/page, then", domain=domain()).urls == ["https://x.org/page"]
