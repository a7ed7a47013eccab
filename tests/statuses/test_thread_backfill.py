"""Migration 0005_statuses gives the posts that existed before it their thread: a post
that replies to nothing starts one, a reply takes its parent's at any depth, a reply
whose parent is gone starts its own. (SQLite file; PostgreSQL runs the same statements
when the test template is migrated.)"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from roost.core.settings import Settings
from roost.migrate import migrate

COLUMNS = (
    "id, account_id, text, content, spoiler_text, sensitive, visibility, in_reply_to_id,"
    " created_at, replies_count, reblogs_count, favourites_count"
)


def test_existing_posts_get_their_threads(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    migrate(settings, "0002")
    database = tmp_path / "roost.sqlite3"
    replies = {1: None, 2: 1, 3: 2, 4: 3, 5: None, 6: 5, 7: 999}  # 7's parent is gone
    with sqlite3.connect(database) as connection:
        connection.executemany(
            f"INSERT INTO statuses ({COLUMNS}) VALUES"
            " (?, 1, '', '', '', 0, 'public', ?, '2026-01-01 00:00:00', 0, 0, 0)",
            list(replies.items()),
        )
    migrate(settings)
    with sqlite3.connect(database) as connection:
        threads = dict(connection.execute("SELECT id, thread_id FROM statuses").fetchall())
    assert threads == {1: 1, 2: 1, 3: 1, 4: 1, 5: 5, 6: 5, 7: 7}
