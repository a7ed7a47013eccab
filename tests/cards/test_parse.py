"""Reading a page's details for its card: which tag wins, text as text, URLs resolved."""

from __future__ import annotations

from roost.cards.parse import decoded, page_details


def test_open_graph_wins_then_twitter_then_title() -> None:
    html = """<html><head><title>Title tag</title>
    <meta name="twitter:title" content="Twitter title">
    <meta name="twitter:description" content="Twitter words">
    <meta name="description" content="Plain words">
    <meta name="twitter:image" content="https://cdn.example.com/t.png">
    </head></html>"""
    found = page_details(html, url="https://example.com/a")
    assert (found.title, found.description) == ("Twitter title", "Twitter words")
    assert found.image_url == "https://cdn.example.com/t.png"
    bare = page_details("<title>Only &lt;this&gt;</title>", url="https://example.com/")
    assert (bare.title, bare.description, bare.image_url) == ("Only <this>", "", None)


def test_urls_are_resolved_and_only_web_ones_kept() -> None:
    html = """<meta property="og:title" content="T">
    <meta property="og:image" content="../pics/a.jpg">
    <link rel="author" href="/people/maya">"""
    found = page_details(html, url="https://example.com/blog/post")
    assert found.image_url == "https://example.com/pics/a.jpg"
    assert found.author_url == "https://example.com/people/maya"
    sneaky = page_details(
        '<meta property="og:title" content="T"><meta property="og:image" content="javascript:x">',
        url="https://example.com/",
    )
    assert sneaky.image_url is None


def test_markup_in_tags_stays_text_and_is_cut_to_length() -> None:
    long = "word " * 400
    html = f"""<meta property="og:title" content="&lt;script&gt;alert(1)&lt;/script&gt;">
    <meta property="og:description" content="{long}">
    <meta property="article:published_time" content="not a date">"""
    found = page_details(html, url="https://example.com/")
    assert found.title == "<script>alert(1)</script>"  # the renderer escapes it
    assert len(found.description) == 1000
    assert found.published_at is None


def test_the_charset_comes_from_the_header_then_the_page() -> None:
    latin = "<meta charset='windows-1252'><title>Caf\xe9</title>".encode("cp1252")
    assert "Café" in decoded(latin, None)
    assert "Café" in decoded("<title>Café</title>".encode(), "utf-8")
    assert "Caf\ufffd" in decoded(latin, "utf-8")  # the header wins
    assert decoded(b"<title>x</title>", "no-such-charset") == "<title>x</title>"
