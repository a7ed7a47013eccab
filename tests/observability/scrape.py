"""Reading a metrics page as Prometheus does (prometheus_client's own parser)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families


@dataclass(frozen=True)
class Metrics:
    """One scrape: every sample by name, with its labels."""

    samples: list[tuple[str, dict[str, str], float]]

    def value(self, name: str, **labels: str) -> float:
        """The sum of the samples named ``name`` whose labels include ``labels``."""
        return sum(
            value
            for sample, found, value in self.samples
            if sample == name and all(found.get(k) == v for k, v in labels.items())
        )

    def has(self, name: str) -> bool:
        return any(sample == name for sample, _, _ in self.samples)

    def labels(self, name: str, label: str) -> set[str]:
        return {found[label] for sample, found, _ in self.samples if sample == name}


def parse(text: str) -> Metrics:
    return Metrics(
        [
            (sample.name, dict(sample.labels), sample.value)
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        ]
    )


async def scrape(client: httpx.AsyncClient, path: str = "/metrics", **kwargs: object) -> Metrics:
    response = await client.get(path, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


REQUESTS = "roost_http_request_duration_seconds_count"
