"""Importing follows, blocks and mutes from Mastodon's CSV files (Mastodon's
Form::Import and BulkImportService, for the three kinds Roost has).

A file is read as Mastodon reads it: UTF-8, blank lines skipped, with or without
its header row (a first row starting ``Account address`` is the header; otherwise
the columns are those Mastodon exports for the kind). It is checked and kept whole
at upload (``start_import``: a file of the wrong kind, or larger than
``MAX_ROWS`` rows, is refused then); the ``run_import`` job applies it through the
follow graph's own verbs (``follows/service.py``), so counts, timelines and
notifications follow as if each had been done by hand.

- ``merge`` adds what the file names to what the account has.
- ``overwrite`` also undoes what the file does not name: follows, blocks or mutes
  of accounts missing from it end.

A row that cannot be applied (an address of another server, an account that does
not exist, following oneself) is reported with its reason on the settings page; it
does not stop the others.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.core.db import commit, utcnow
from roost.core.errors import RoostError, Unprocessable
from roost.core.ids import new_id
from roost.follows import lists
from roost.follows import service as follows
from roost.jobs.outbox import schedule_job
from roost.lifecycle.models import AccountImport

if TYPE_CHECKING:
    from roost.runtime import Runtime

IMPORT_JOB = "run_import"
MAX_ROWS = 20_000  # Mastodon's ROWS_PROCESSING_LIMIT
KINDS = {
    "following": ["Account address", "Show boosts", "Notify on new posts", "Languages"],
    "blocking": ["Account address"],
    "muting": ["Account address", "Hide notifications"],
}
MODES = ("merge", "overwrite")
KIND_NAMES = {"following": "follows", "blocking": "blocks", "muting": "mutes"}
SHOWN_IMPORTS = 5


def parse_csv(kind: str, data: bytes) -> list[dict[str, Any]]:
    """The rows of a Mastodon CSV file of ``kind``; Unprocessable if it is not one."""
    if kind not in KINDS:
        raise Unprocessable("Choose what the file holds: follows, blocks or mutes")
    try:
        text = data.decode("utf-8-sig")
        rows = [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise Unprocessable("The file is not a CSV file in UTF-8") from exc
    if not rows:
        raise Unprocessable("The file is empty")
    columns = KINDS[kind]
    first = [cell.strip() for cell in rows[0]]
    if first[0] == "Account address":
        unknown = [name for name in first if name and name not in columns]
        if unknown:
            raise Unprocessable(
                f"This file has a column “{unknown[0]}”: it is not a file of {KIND_NAMES[kind]}"
            )
        columns, rows = first, rows[1:]
    if len(rows) > MAX_ROWS:
        raise Unprocessable(f"The file has more than {MAX_ROWS} rows")
    parsed = []
    for row in rows:
        record = dict(zip(columns, (cell.strip() for cell in row), strict=False))
        item: dict[str, Any] = {"account": record.get("Account address", "")}
        if kind == "following":
            item["reblogs"] = _flag(record.get("Show boosts"), default=True)
            item["notify"] = _flag(record.get("Notify on new posts"), default=False)
        elif kind == "muting":
            item["notifications"] = _flag(record.get("Hide notifications"), default=True)
        parsed.append(item)
    if not parsed:
        raise Unprocessable("The file names no account")
    return parsed


def _flag(value: str | None, *, default: bool) -> bool:
    if not value:
        return default
    return value.strip().lower() in {"true", "1", "yes"}


async def start_import(
    *,
    session: AsyncSession,
    runtime: Runtime,
    account_id: int,
    kind: str,
    mode: str,
    data: bytes,
) -> AccountImport:
    """Check and keep an uploaded file; the job applies it after commit."""
    if mode not in MODES:
        raise Unprocessable("Choose merge or overwrite")
    rows = parse_csv(kind, data)
    record = AccountImport(
        id=new_id(),
        account_id=account_id,
        kind=kind,
        mode=mode,
        state="queued",
        rows=rows,
        total=len(rows),
        imported=0,
        failures=[],
        created_at=utcnow(),
    )
    session.add(record)
    schedule_job(session, runtime, IMPORT_JOB, import_id=record.id)
    await commit(session)
    return record


async def recent_imports(*, session: AsyncSession, account_id: int) -> list[AccountImport]:
    rows = await session.scalars(
        select(AccountImport)
        .where(AccountImport.account_id == account_id)
        .order_by(AccountImport.id.desc())
        .limit(SHOWN_IMPORTS)
    )
    return list(rows.all())


async def run_import(*, runtime: Runtime, import_id: int) -> None:
    """The job's body: apply every row, then (overwrite) undo what the file leaves out,
    then record the outcome. Running again applies the same rows again: each verb is
    idempotent."""
    async with runtime.db.read() as session:
        record = await session.get(AccountImport, import_id)
        if record is None or record.state == "finished":
            return
        kind, mode, rows, owner = record.kind, record.mode, record.rows, record.account_id
    failures: list[dict[str, Any]] = []
    named: set[int] = set()
    for number, row in enumerate(rows, start=1):
        try:
            target_id = await _resolve(runtime, row["account"])
            named.add(target_id)
            await _apply(runtime, kind, owner, target_id, row)
        except RoostError as exc:
            failures.append({"row": number, "account": row["account"], "reason": exc.message})
    if mode == "overwrite":
        await _undo_unnamed(runtime, kind, owner, named)
    async with runtime.db.write() as session:
        record = await session.get(AccountImport, import_id)
        if record is None:
            return
        record.failures = failures
        record.imported = len(rows) - len(failures)
        record.state = "finished"
        record.finished_at = utcnow()
        await commit(session)


class _Unresolved(RoostError):
    pass


async def _resolve(runtime: Runtime, raw: str) -> int:
    """The id of the local account an address names (``name`` or ``name@<domain>``)."""
    username, at, host = raw.strip().removeprefix("@").partition("@")
    domain = runtime.settings.domain.lower()
    if not username:
        raise _Unresolved("no account address in this row")
    if at and host.lower() not in {domain, domain.split(":")[0]}:
        raise _Unresolved("an account on another server: Roost does not federate")
    async with runtime.db.read() as session:
        found = await session.scalar(
            select(Account.id).where(
                Account.username_lower == username.lower(),
                Account.approved.is_(True),
                Account.deleted_at.is_(None),
            )
        )
    if found is None:
        raise _Unresolved("no account on this server has this address")
    return int(found)


async def _apply(
    runtime: Runtime, kind: str, owner_id: int, target_id: int, row: dict[str, Any]
) -> None:
    async with runtime.db.write() as session:
        actor = await session.get(Account, owner_id)
        if actor is None:
            raise _Unresolved("the importing account is gone")
        if kind == "following":
            await follows.follow(
                session=session,
                runtime=runtime,
                actor=actor,
                target_id=target_id,
                reblogs=bool(row.get("reblogs", True)),
                notify=bool(row.get("notify", False)),
            )
        elif kind == "blocking":
            await follows.block(session=session, runtime=runtime, actor=actor, target_id=target_id)
        else:
            await follows.mute(
                session=session,
                runtime=runtime,
                actor=actor,
                target_id=target_id,
                notifications=bool(row.get("notifications", True)),
            )


async def _undo_unnamed(runtime: Runtime, kind: str, owner_id: int, named: set[int]) -> None:
    """Overwrite: end the follows, blocks or mutes of accounts the file did not name."""
    async with runtime.db.read() as session:
        current = await lists.targets_of(session, owner_id, kind)
    undo = {"following": follows.unfollow, "blocking": follows.unblock, "muting": follows.unmute}
    for target_id in sorted(current - named):
        async with runtime.db.write() as session:
            actor = await session.get(Account, owner_id)
            if actor is None:
                return
            try:
                await undo[kind](session=session, runtime=runtime, actor=actor, target_id=target_id)
            except RoostError:
                continue  # the other account is gone meanwhile
