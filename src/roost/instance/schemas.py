"""What the instance endpoints answer: for the OpenAPI document only (routes render dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class InstanceV1(BaseModel):
    """Mastodon's V1::Instance entity (``instance/service.py``)."""

    uri: str
    title: str
    short_description: str
    description: str
    email: str
    version: str
    urls: dict[str, str]
    stats: dict[str, int]
    thumbnail: str | None
    languages: list[str]
    registrations: bool
    approval_required: bool
    invites_enabled: bool
    configuration: dict[str, Any]
    contact_account: dict[str, Any] | None
    rules: list[dict[str, Any]]


class Instance(BaseModel):
    """Mastodon's Instance entity (``/api/v2/instance``)."""

    domain: str
    title: str
    version: str
    source_url: str
    description: str
    usage: dict[str, Any]
    thumbnail: dict[str, Any]
    languages: list[str]
    configuration: dict[str, Any]
    registrations: dict[str, Any]
    api_versions: dict[str, int]
    contact: dict[str, Any]
    rules: list[dict[str, Any]]
