"""What the report endpoint reads and answers (answers: OpenAPI document only)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from roost.core.inputs import Id, IdList


class ReportParams(BaseModel):
    account_id: Id
    status_ids: IdList = []
    comment: str = ""
    forward: bool = False
    category: str | None = None
    rule_ids: IdList = []


class Report(BaseModel):
    id: str
    action_taken: bool
    action_taken_at: str | None
    category: str
    comment: str
    forwarded: bool
    created_at: str
    status_ids: list[str] | None
    rule_ids: list[str] | None
    target_account: dict[str, Any]
