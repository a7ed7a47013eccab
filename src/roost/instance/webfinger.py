"""WebFinger (RFC 7033) and host-meta (RFC 6415): how a name like ``alice@example.com``
or a profile URL is found to be a person here.

Roost does not federate, so the answer links the profile page only (no ActivityPub
``self`` link, which would promise an actor document Roost does not serve).
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import quoteattr

from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.render import profile_url
from roost.accounts.service import lookup_account
from roost.core.errors import BadRequest, NotFound
from roost.core.settings import Settings

PROFILE_PAGE = "http://webfinger.net/rel/profile-page"


def _acct(resource: str, settings: Settings) -> str:
    """``resource`` as ``user@domain``; 400 if it is no kind of resource Roost reads,
    404 if it names something not here."""
    text = resource.strip()
    if text.lower().startswith("acct:"):
        name = text[len("acct:") :]
        username, at, host = name.partition("@")
        if not username or not at or not host or "@" in host:
            raise BadRequest("The resource is not a valid acct: URI")
        return name
    for prefix in (f"{settings.base_url}/@", f"{settings.base_url}/users/"):
        if text.lower().startswith(prefix.lower()):
            username = text[len(prefix) :].strip("/")
            if not username or "/" in username:
                raise NotFound()
            return f"{username}@{settings.domain}"
    if text.startswith(("http://", "https://")):
        raise NotFound()
    raise BadRequest("The resource must be an acct: URI or a profile URL")


async def webfinger(*, session: AsyncSession, settings: Settings, resource: str) -> dict[str, Any]:
    """The JRD of the local account ``resource`` names."""
    account = await lookup_account(
        session=session, acct=_acct(resource, settings), domain=settings.domain
    )
    page = profile_url(account, settings.base_url)
    return {
        "subject": f"acct:{account.username}@{settings.domain}",
        "aliases": [page],
        "links": [{"rel": PROFILE_PAGE, "type": "text/html", "href": page}],
    }


def host_meta(settings: Settings) -> str:
    """The XRD pointing at the WebFinger endpoint."""
    template = quoteattr(f"{settings.base_url}/.well-known/webfinger?resource={{uri}}")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" type="application/jrd+json" template={template}/>\n'
        "</XRD>\n"
    )
