"""The server's rules: what people agree to at sign-up, and what a report can say was
broken (``reports/``). They are set by the operator (``ROOST_RULES``, a JSON list of
texts) and answered as Mastodon's Rule entities.

A rule's id is its place in the list, counted from 1. Mastodon keeps rules in a table
whose ids never change; Roost has no screen to edit rules yet, and a setting is the
simplest way to have them. The cost: a report keeps the ids of the rules it names, so
reordering or removing rules changes what an old report's ids point at (a removed
rule's id points at nothing and is left out of the Admin::Report's ``rules``). Adding
rules at the end changes nothing that was filed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from roost.core.settings import Settings


@dataclass(frozen=True)
class Rule:
    id: int
    text: str
    hint: str = ""

    def render(self) -> dict[str, Any]:
        """The Rule entity (Mastodon 4.3: id, text, hint)."""
        return {"id": str(self.id), "text": self.text, "hint": self.hint}


def server_rules(settings: Settings) -> list[Rule]:
    return [Rule(id=number, text=text) for number, text in enumerate(settings.rules, start=1)]


def rules_named(settings: Settings, ids: Iterable[int]) -> list[Rule]:
    """The rules among ``ids`` that exist, in the order of ``ids``."""
    by_id = {rule.id: rule for rule in server_rules(settings)}
    return [by_id[i] for i in ids if i in by_id]
