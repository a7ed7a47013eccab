from __future__ import annotations

from collections.abc import Iterator

import pytest

from roost.core.settings import Settings
from tests.cards.pages import Site, serving

# Short limits, so a misbehaving page is cut off quickly (yet long enough for a good
# page on a busy test machine).
CARD_SETTINGS = {
    "preview_cards": True,
    "preview_allow_loopback": True,
    "preview_connect_timeout": 2.0,
    "preview_read_timeout": 1.5,
    "preview_total_timeout": 4.0,
    "preview_max_bytes": 256 * 1024,
}


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serving() as running:
        yield running


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Cards on, and the local site reachable: loopback allowed (as the default is not)."""
    return settings.model_copy(update=CARD_SETTINGS)
