from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest

from roost.runtime import Runtime
from tests.conftest import AppClient
from tests.factories import Factory
from tests.smtp import Inbox, smtp_server


@dataclass
class Mailing:
    """An in-process Roost that sends mail to ``inbox`` through a loopback SMTP server."""

    client: httpx.AsyncClient
    runtime: Runtime
    inbox: Inbox
    factory: Factory

    async def settle(self) -> None:
        """Wait until every job kicked so far (the mail jobs) has run."""
        await self.runtime.jobs.drain()


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
async def mailing(app_client: AppClient, smtp: tuple[str, Inbox]) -> AsyncIterator[Mailing]:
    url, inbox = smtp
    async with app_client(smtp_url=url, smtp_from="Roost <mail@roost.test>") as (client, runtime):
        yield Mailing(client, runtime, inbox, Factory(runtime))
