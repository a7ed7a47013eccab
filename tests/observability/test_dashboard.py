"""The sample Grafana dashboard (docs/grafana-dashboard.json) asks only for metrics Roost
exposes, under the names it exposes them (a renamed metric would leave a panel empty)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

from tests.conftest import Scaled
from tests.observability.scrape import scrape

DASHBOARD = Path(__file__).parents[2] / "docs" / "grafana-dashboard.json"
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}


def exposed_names() -> set[str]:
    """Every sample name this process's metrics can have, moved yet or not."""
    names = set()
    for family in REGISTRY.collect():
        for suffix in SUFFIXES.get(family.type, ("",)):
            names.add(family.name + suffix)
    return names


async def test_every_metric_the_dashboard_asks_for_exists(scaled: Scaled) -> None:
    _, client, _ = scaled
    asked: set[str] = set()
    dashboard = json.loads(DASHBOARD.read_text())
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            asked |= set(re.findall(r"\broost_[a-z_]+", target["expr"]))
    # What a scrape works out on the spot (the queue) is on the page, not in the registry.
    page = await scrape(client)
    on_page = {name for name, _, _ in page.samples}
    assert asked - (exposed_names() | on_page) == set()
    assert len(asked) >= 15
