"""OAuth2 scopes as Mastodon defines them: top-level scopes cover their sub-scopes."""

from __future__ import annotations

TOP_LEVEL = ("read", "write", "follow", "push", "profile")
SUB_SCOPES = {
    "read": (
        "accounts",
        "blocks",
        "bookmarks",
        "favourites",
        "filters",
        "follows",
        "lists",
        "mutes",
        "notifications",
        "search",
        "statuses",
    ),
    "write": (
        "accounts",
        "blocks",
        "bookmarks",
        "conversations",
        "favourites",
        "filters",
        "follows",
        "lists",
        "media",
        "mutes",
        "notifications",
        "reports",
        "statuses",
    ),
}
# The legacy ``follow`` scope is the relationship sub-scopes of read and write.
FOLLOW_COVERS = frozenset(
    f"{verb}:{noun}" for verb in ("read", "write") for noun in ("blocks", "follows", "mutes")
)
# Moderation apps ask for ``admin:read`` / ``admin:write`` or one of their parts; neither
# ``read`` nor ``write`` covers them, and the role's permissions decide besides.
ADMIN_SUBJECTS = (
    "accounts",
    "reports",
    "domain_allows",
    "domain_blocks",
    "ip_blocks",
    "email_domain_blocks",
    "canonical_email_blocks",
)
ADMIN = {f"admin:{verb}" for verb in ("read", "write")} | {
    f"admin:{verb}:{subject}" for verb in ("read", "write") for subject in ADMIN_SUBJECTS
}
KNOWN = (
    frozenset(TOP_LEVEL)
    | {f"{top}:{sub}" for top, subs in SUB_SCOPES.items() for sub in subs}
    | ADMIN
)


def parse_scopes(raw: str | None, *, default: str = "read") -> list[str]:
    """Split a space (or plus, or comma) separated scope string, keeping order, no repeats."""
    text = (raw or "").replace("+", " ").replace(",", " ").strip() or default
    seen: list[str] = []
    for scope in text.split():
        if scope not in seen:
            seen.append(scope)
    return seen


def unknown_scopes(scopes: list[str]) -> list[str]:
    return [scope for scope in scopes if scope not in KNOWN]


def covers(granted: frozenset[str] | set[str], required: str) -> bool:
    if required in granted:
        return True
    parts = required.split(":")
    # ``read`` covers ``read:statuses``; ``admin:read`` covers ``admin:read:accounts``.
    if any(":".join(parts[:end]) in granted for end in range(1, len(parts))):
        return True
    if "follow" in granted and required in FOLLOW_COVERS:
        return True
    # Mastodon lets a ``profile`` token read only the current account.
    return required == "profile" and ("read" in granted or "read:accounts" in granted)


def within(requested: list[str], allowed: list[str]) -> bool:
    """Every requested scope is one the app registered for (or covered by one)."""
    allowed_set = frozenset(allowed)
    return all(covers(allowed_set, scope) for scope in requested)
