from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow


class AccountImport(Base):
    """A CSV file of follows, blocks or mutes a person uploaded, waiting for or done by
    its job (``lifecycle/imports.py``). ``rows`` are the parsed rows; ``failures`` the
    ones that could not be applied, each with its reason, shown on the settings page."""

    __tablename__ = "account_imports"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # following, blocking, muting
    mode: Mapped[str] = mapped_column(String(16))  # merge, overwrite
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued, finished
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    total: Mapped[int] = mapped_column(default=0)
    imported: Mapped[int] = mapped_column(default=0)
    failures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
