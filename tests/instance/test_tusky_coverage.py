"""Every endpoint Tusky calls is routed, except the ones named below with the reason.

``tusky-endpoints.tsv`` is a copy of the shared list (``shared/clients/tusky-endpoints.tsv``
beside the project checkout, extracted from Tusky's MastodonApi.kt), kept in the repo so a
clean clone can run this test. The exceptions must stay honest: an exception that
becomes routed fails the test, so whoever builds it also deletes its line here.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import httpx

TSV = Path(__file__).with_name("tusky-endpoints.tsv")

NOT_ROUTED: dict[tuple[str, str], str] = {}


def shape(path: str) -> str:
    """A path with every parameter written ``{}``: ``{id}``, ``{listId}`` are alike."""
    return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/") or "/")


def tusky_endpoints() -> list[tuple[str, str]]:
    with TSV.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) > 100  # the whole list was read
    return [(row["method"].upper(), shape(row["path"])) for row in rows]


async def routed(client: httpx.AsyncClient) -> set[tuple[str, str]]:
    document = (await client.get("/openapi.json")).json()
    return {
        (method.upper(), shape(path))
        for path, operations in document["paths"].items()
        for method in operations
    }


async def test_every_tusky_endpoint_is_routed_or_excused(client: httpx.AsyncClient) -> None:
    endpoints = tusky_endpoints()
    have = await routed(client)
    missing = [e for e in endpoints if e not in have and e not in NOT_ROUTED]
    assert missing == [], f"Tusky calls these, and they are neither routed nor excused: {missing}"
    now_routed = [e for e in NOT_ROUTED if e in have]
    assert now_routed == [], f"routed now: delete their exceptions from NOT_ROUTED: {now_routed}"
    unknown = [e for e in NOT_ROUTED if e not in endpoints]
    assert unknown == [], f"not in Tusky's list: {unknown}"
