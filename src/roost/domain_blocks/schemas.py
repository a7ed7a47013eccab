from __future__ import annotations

from pydantic import BaseModel


class DomainParams(BaseModel):
    domain: str | None = None
