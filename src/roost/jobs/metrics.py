"""The jobs' metrics: runs, failures, retries and re-drives as they happen, and the
queue's depth when a scrape asks (one statement and one XLEN, never on a job's path)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from sqlalchemy import case, func, select

from roost.core.db import Database
from roost.core.redis import Client
from roost.jobs.models import OutboxJob

JOB_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

JOB_SECONDS = Histogram(
    "roost_job_duration_seconds",
    "How long a job's handler ran, by kind",
    ["kind"],
    buckets=JOB_BUCKETS,
)
JOB_RUNS = Counter(
    "roost_job_runs_total",
    "Job runs by kind and outcome: done (its row deleted) or failed (a retry scheduled, "
    "unless it was the last attempt)",
    ["kind", "outcome"],
)
JOB_RETRIES = Counter(
    "roost_job_retries_total",
    "Runs of a job that had failed before (the sweep's retries), by kind",
    ["kind"],
)
JOBS_DEAD = Counter(
    "roost_jobs_dead_total",
    "Jobs that failed their last attempt: the sweep leaves them (see last_error)",
    ["kind"],
)
REDRIVES = Counter(
    "roost_outbox_redrives_total",
    "Outbox rows the sweep started again: a failed job's retry, a job whose process died "
    "or whose queue message was lost, a delayed job come due",
)


async def queue_depth(
    *, db: Database, redis: Client | None, stream: str | None, max_attempts: int
) -> list[Metric]:
    """The outbox rows owed, by state, and the messages on the Redis job stream."""
    async with db.read() as session:
        owed, retrying, dead = (
            await session.execute(
                select(
                    func.count(case((OutboxJob.attempts == 0, 1))),
                    func.count(
                        case(
                            (
                                (OutboxJob.attempts > 0) & (OutboxJob.attempts < max_attempts),
                                1,
                            )
                        )
                    ),
                    func.count(case((OutboxJob.attempts >= max_attempts, 1))),
                )
            )
        ).one()
    rows = GaugeMetricFamily(
        "roost_outbox_jobs",
        "Outbox rows (jobs owed) by state: pending (not failed yet), retrying (failed, "
        "a retry scheduled), dead (out of attempts)",
        labels=["state"],
    )
    rows.add_metric(["pending"], owed)
    rows.add_metric(["retrying"], retrying)
    rows.add_metric(["dead"], dead)
    metrics: list[Metric] = [rows]
    if redis is not None and stream is not None:
        queued = GaugeMetricFamily(
            "roost_job_queue_depth",
            "Messages on the Redis job stream: queued, or read by a worker and not yet done",
        )
        queued.add_metric([], int(await redis.xlen(stream)))
        metrics.append(queued)
    return metrics
