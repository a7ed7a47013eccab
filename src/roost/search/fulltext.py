"""Full-text matching of posts, on whichever database Roost runs on.

SQLite: the FTS5 table ``status_search`` (rowid = status id), kept by triggers
that index every post that is not a boost. The user's words are never passed to
FTS5 as syntax: each becomes a quoted string (a phrase of its tokens) and the
strings are joined with spaces, which FTS5 reads as AND. ``AND``, ``NEAR``,
``*``, ``:`` and parentheses typed by a user are therefore plain words.

PostgreSQL: ``to_tsvector('simple', spoiler_text || ' ' || text)``, the exact
expression of the migration's GIN index (constants inlined so the planner can
match it), against ``plainto_tsquery``, which takes any text safely.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Integer, column, func, literal_column, select, table, text
from sqlalchemy.sql.elements import TextClause

from roost.statuses.models import Status

MAX_TERMS = 12
_WORDLIKE = re.compile(r"\w")
_UNSAFE = re.compile(r'["\x00-\x1f\x7f]')

_status_search = table("status_search", column("rowid", Integer))


def search_terms(query: str) -> list[str]:
    """The words of ``query`` that can match anything, at most ``MAX_TERMS`` of them."""
    terms = []
    for word in query.split():
        cleaned = _UNSAFE.sub(" ", word).strip()
        if cleaned and _WORDLIKE.search(cleaned):
            terms.append(cleaned)
    return terms[:MAX_TERMS]


def fts5_expression(terms: list[str]) -> str:
    """An FTS5 MATCH expression requiring every term: ``"one" "two"``."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def matches(dialect: str, terms: list[str]) -> ColumnElement[bool]:
    """SQL condition on ``Status``: the post contains every term (``terms`` not empty)."""
    if dialect == "postgresql":
        simple: ColumnElement[str] = literal_column("'simple'")
        document = func.to_tsvector(
            simple, Status.spoiler_text.op("||")(literal_column("' '")).op("||")(Status.text)
        )
        return document.op("@@")(func.plainto_tsquery(simple, " ".join(terms)))
    match: TextClause = text("status_search MATCH :search_match").bindparams(
        search_match=fts5_expression(terms)
    )
    return Status.id.in_(select(_status_search.c.rowid).where(match))
