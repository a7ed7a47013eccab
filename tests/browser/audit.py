"""axe-core in a page: the WCAG 2.1 A and AA audit of one screen.

axe-core comes from the npm registry (pinned in tests/browser/package-lock.json;
scripts/test runs ``npm ci`` there). It is loaded into the page as a script and run on
the whole document; a violation of impact serious or critical fails the screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = {"serious", "critical"}


def audit(page: Page) -> list[dict[str, Any]]:
    """The serious and critical WCAG 2.1 A/AA violations on the page as it is now."""
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `npm ci --prefix tests/browser`")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    # Every rule with one of the tags, the experimental ones included (label-in-name,
    # WCAG 2.5.3, is one): listing them by id runs them all.
    result: dict[str, Any] = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: "rule", values: axe.getRules(tags).map(rule => rule.ruleId)},
            resultTypes: ["violations", "incomplete"],
        })""",
        TAGS,
    )
    return [v for v in result["violations"] if v["impact"] in FAILING] + _short_text(result)


def _short_text(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Text too short for axe to call (a count such as "1") is only "incomplete" in its
    colour-contrast rule; a ratio it measured below the one required is a violation."""
    failing = []
    for rule in result.get("incomplete", []):
        if rule["id"] != "color-contrast":
            continue
        nodes = [
            {
                **node,
                "failureSummary": f"contrast {data['contrastRatio']}:1 ({data['fgColor']} on "
                f"{data['bgColor']}), {data['expectedContrastRatio']} required",
            }
            for node in rule["nodes"]
            for check in node["any"]
            if (data := check.get("data") or {}).get("contrastRatio")
            and float(data["contrastRatio"]) < float(data["expectedContrastRatio"].split(":")[0])
        ]
        if nodes:
            failing.append({**rule, "impact": "serious", "nodes": nodes})
    return failing


def describe(violations: list[dict[str, Any]]) -> str:
    """One paragraph per rule: id, impact, help, and the selectors of each offender."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)
