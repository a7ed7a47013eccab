"""The audit log keeps what moderators did, newest first, and outlives the moderator."""

from __future__ import annotations

from sqlalchemy import delete

from roost.accounts.models import Account
from roost.admin.audit import list_actions, log_action
from roost.core.paging import Window
from roost.runtime import Runtime
from tests.factories import Factory


async def test_entries_are_kept_newest_first_and_outlive_the_moderator(
    runtime: Runtime, factory: Factory
) -> None:
    mod, bob = await factory.user("mod", role="moderator"), await factory.user("bob")
    async with runtime.db.write() as session:
        for action in ("silence", "unsilence", "suspend"):
            log_action(
                session=session,
                actor=mod.account,
                action=action,
                target_type="Account",
                target_id=bob.account.id,
                did=f"did {action} to @bob",
            )
        log_action(
            session=session,
            actor=mod.account,
            action="resolve",
            target_type="Report",
            target_id=42,
            did="resolved report 42",
        )
        await session.commit()

    async with runtime.db.read() as session:
        first = await list_actions(session=session, page=Window(limit=3))
        rest = await list_actions(session=session, page=Window(max_id=first.next_max, limit=3))
        about_bob = await list_actions(
            session=session, page=Window(), target_type="Account", target_id=bob.account.id
        )
    assert [e.action for e in first.items] == ["resolve", "suspend", "unsilence"]
    assert [e.action for e in rest.items] == ["silence"]
    assert [e.action for e in about_bob.items] == ["suspend", "unsilence", "silence"]
    assert all(e.actor_id == mod.account.id for e in first.items)

    async with runtime.db.write() as session:
        await session.execute(delete(Account).where(Account.id == mod.account.id))
        await session.commit()
    async with runtime.db.read() as session:
        kept = await list_actions(session=session, page=Window())
    assert len(kept.items) == 4 and {e.actor_id for e in kept.items} == {None}
    assert kept.items[0].summary == "@mod resolved report 42"
