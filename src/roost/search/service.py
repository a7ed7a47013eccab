"""Search: people by name, posts by their words, hashtags by prefix.

Every result passes the same privacy rules as timelines: posts only if the
viewer may read them (``visible_to``), nothing by someone blocked either way,
and no posts by someone the viewer mutes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.render import render_account
from roost.accounts.standing import seen_by_others
from roost.core.errors import BadRequest
from roost.core.inputs import id_or_none
from roost.follows.relations import follows, not_blocked_either_way
from roost.search.fulltext import matches, search_terms
from roost.search.schemas import SearchParams
from roost.statuses.models import Status, StatusTag, Tag
from roost.statuses.render import render_statuses
from roost.statuses.visibility import load_audience, not_hidden_by, visible_to
from roost.tags.service import render_tags

if TYPE_CHECKING:
    from roost.runtime import Runtime

_HASHTAG = re.compile(r"^#?(\w{1,100})$")


async def search(
    *, session: AsyncSession, runtime: Runtime, viewer_id: int | None, query: SearchParams
) -> dict[str, list[dict[str, Any]]]:
    """``/api/v2/search``: ``{accounts, statuses, hashtags}``."""
    q = _required(query.q)
    limit, offset = query.clamped_limit(), query.offset
    result: dict[str, list[dict[str, Any]]] = {"accounts": [], "statuses": [], "hashtags": []}
    url_hit = _local_url(q, runtime.settings.base_url)
    if url_hit is not None:
        username, status_id = url_hit
        if query.wants("statuses") and status_id is not None:
            result["statuses"] = await search_statuses(
                session=session,
                runtime=runtime,
                viewer_id=viewer_id,
                q="",
                status_id=status_id,
                limit=1,
                offset=0,
            )
        elif query.wants("accounts") and status_id is None:
            accounts = await search_accounts(
                session=session,
                runtime=runtime,
                viewer_id=viewer_id,
                q=username,
                limit=1,
                offset=0,
                exact=True,
            )
            base_url = runtime.settings.base_url
            result["accounts"] = [render_account(a, base_url=base_url) for a in accounts]
        return result
    if query.wants("accounts"):
        accounts = await search_accounts(
            session=session,
            runtime=runtime,
            viewer_id=viewer_id,
            q=q,
            limit=limit,
            offset=offset,
            following=query.following,
        )
        base_url = runtime.settings.base_url
        result["accounts"] = [render_account(a, base_url=base_url) for a in accounts]
    if query.wants("statuses"):
        result["statuses"] = await search_statuses(
            session=session,
            runtime=runtime,
            viewer_id=viewer_id,
            q=q,
            author_id=query.account_id,
            limit=limit,
            offset=offset,
        )
    if query.wants("hashtags"):
        result["hashtags"] = await search_hashtags(
            session=session, runtime=runtime, viewer_id=viewer_id, q=q, limit=limit, offset=offset
        )
    return result


async def search_accounts(
    *,
    session: AsyncSession,
    runtime: Runtime,
    viewer_id: int | None,
    q: str,
    limit: int,
    offset: int,
    following: bool = False,
    exact: bool = False,
) -> list[Account]:
    """Accounts for ``bob``, ``@bob`` or ``bob@our.domain``: the exact username first,
    then usernames and display names starting with the term."""
    term = _account_term(_required(q), runtime.settings.domain)
    if term is None or (following and viewer_id is None):
        return []
    is_exact = Account.username_lower == term
    prefix = or_(
        Account.username_lower.startswith(term, autoescape=True),
        func.lower(Account.display_name).startswith(term, autoescape=True),
    )
    condition: ColumnElement[bool] = (
        is_exact if exact else or_(is_exact, prefix & Account.discoverable.is_(True))
    )
    query = select(Account).where(condition, seen_by_others(), Account.deleted_at.is_(None))
    if viewer_id is not None:
        query = query.where(not_blocked_either_way(viewer_id, Account.id))
        if following:
            query = query.where(follows(viewer_id, Account.id))
    rank = case(
        (is_exact, 0), (Account.username_lower.startswith(term, autoescape=True), 1), else_=2
    )
    query = (
        query.order_by(rank, Account.followers_count.desc(), Account.id).offset(offset).limit(limit)
    )
    return list((await session.scalars(query)).all())


async def search_statuses(
    *,
    session: AsyncSession,
    runtime: Runtime,
    viewer_id: int | None,
    q: str,
    limit: int,
    offset: int,
    author_id: int | None = None,
    status_id: int | None = None,
) -> list[dict[str, Any]]:
    """Posts (never boosts) containing every word of ``q``, newest first; a lone
    ``#tag`` also finds the posts carrying that tag."""
    if status_id is not None:
        condition: ColumnElement[bool] = Status.id == status_id
    else:
        terms = search_terms(q)
        tag = _hashtag(q) if q.strip().startswith("#") else None
        if not terms and tag is None:
            return []
        conditions = []
        if terms:
            conditions.append(matches(session.get_bind().dialect.name, terms))
        if tag is not None:
            conditions.append(
                Status.id.in_(
                    select(StatusTag.status_id)
                    .join(Tag, Tag.id == StatusTag.tag_id)
                    .where(Tag.name == tag)
                )
            )
        condition = or_(*conditions)
    audience = await load_audience(session, viewer_id)
    query = select(Status).where(
        condition,
        Status.reblog_of_id.is_(None),
        visible_to(viewer_id),
        not_hidden_by(audience),
    )
    if author_id is not None:
        query = query.where(Status.account_id == author_id)
    query = query.order_by(Status.id.desc()).offset(offset).limit(limit)
    statuses = list((await session.scalars(query)).all())
    return await render_statuses(session, statuses, viewer_id, runtime=runtime)


async def search_hashtags(
    *,
    session: AsyncSession,
    runtime: Runtime,
    viewer_id: int | None,
    q: str,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    name = _hashtag(q)
    if name is None:
        return []
    query = (
        select(Tag)
        .where(Tag.name.startswith(name, autoescape=True))
        .order_by(case((Tag.name == name, 0), else_=1), Tag.name)
        .offset(offset)
        .limit(limit)
    )
    tags = list((await session.scalars(query)).all())
    return await render_tags(session, tags, base_url=runtime.settings.base_url, viewer_id=viewer_id)


def _required(q: str) -> str:
    if not q.strip():
        raise BadRequest("Missing parameter: q")
    return q.strip()


def _local_domains(domain: str) -> set[str]:
    domain = domain.lower()
    return {domain, domain.split(":")[0]}


def _account_term(q: str, our_domain: str) -> str | None:
    """The lowercase username or name to look for, or None for another server's account."""
    term = q[1:] if q.startswith("@") else q
    if "@" in term:
        username, _, domain = term.partition("@")
        if domain.lower() not in _local_domains(our_domain):
            return None
        term = username
    term = term.strip().lower()
    return term or None


def _hashtag(q: str) -> str | None:
    match = _HASHTAG.match(q.strip())
    return match.group(1).lower() if match else None


def _local_url(q: str, base_url: str) -> tuple[str, int | None] | None:
    """``<base>/@bob`` -> ("bob", None); ``<base>/@bob/123`` -> ("bob", 123)."""
    prefix = f"{base_url}/@"
    if not q.lower().startswith(prefix.lower()):
        return None
    username, _, rest = q[len(prefix) :].partition("/")
    if not username:
        return None
    if not rest:
        return username, None
    status_id = id_or_none(rest.strip("/"))
    return (username, status_id) if status_id is not None else None
