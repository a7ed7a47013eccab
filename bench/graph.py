"""The synthetic population: accounts, a skewed follow graph, statuses, tokens.

Pure data, deterministic for a given seed, so seeding (seed.py) is only bulk copying.

Who is in it:

- ``active`` accounts post a few statuses, hold a token and follow others. Their
  following counts are power-law (Pareto, 5..1000) and whom they follow is Zipf by
  popularity rank (P(rank r) ~ 1/r), so the follower counts are skewed: the top
  ranks are followed by most actives, the tail by few.
- ``readers``, a random sample of the actives, are the people who read during the
  load: their timelines are made live by a first read, and they are the only live
  ones until the fan-out phase.
- ``mid`` accounts are followed by every active account (and post like actives):
  ``Shape.mid_followers`` followers each, which must not exceed the fan-out limit
  (bench/run.py checks), so each of their posts is fanned out, to every follower
  whose timeline is live. The fan-out phase makes all of those live first.
- ``big`` accounts each have ``big_followers`` followers: every active plus as many
  ``lurkers`` (accounts that follow the big ones and never post) as it takes.
- one ``quiet`` account with no followers at all, the 0-follower poster.

Statuses: 80% posts, 10% replies (to someone the author follows), 10% boosts; 90%
public, 7% unlisted, 3% followers-only; timestamps spread over the last three days,
ids are Snowflakes of those timestamps (node 1023, never leased by a live process
at that time). Counters (followers, following, statuses, replies, boosts) are
computed from the rows, as the services would have left them.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

from roost.core.ids import NODE_BITS, ROOST_EPOCH_MS, SEQUENCE_BITS

SEED_NODE = 1023
DAY_MS = 86_400_000
_WORD_TEXT = (
    "the a of and to in is it you that he was for on are with as his they be at one "
    "have this from or had by hot word but what some we can out other were all there "
    "when up use your how said an each she which do their time if will way about many "
    "then them write would like so these her long make thing see him two has look more "
    "day could go come did number sound no most people my over know water than call "
    "first who may down side been now find coffee train morning rain garden release "
    "server python music weekend project bug fix tea bicycle book museum deploy "
    "tonight city sunset code review cat dog walk lunch meeting idea shipping"
)
WORDS = _WORD_TEXT.split()
TAGS = ("photography", "python", "caturday", "music", "fediverse", "books")


@dataclass(frozen=True)
class Shape:
    actives: int = 10_000
    readers: int = 1000
    mid: int = 8
    big: int = 3
    big_followers: int = 100_000
    statuses_per_active: float = 3.0
    big_statuses: int = 40
    min_following: int = 5
    max_following: int = 1000
    pareto_alpha: float = 1.2
    zipf_s: float = 1.0
    seed: int = 42

    @property
    def mid_followers(self) -> int:
        """Followers of each mid account: every active account follows them."""
        return self.actives


@dataclass
class StatusRow:
    id: int
    account_id: int
    text: str
    visibility: str
    created_ms: int
    in_reply_to_id: int | None = None
    in_reply_to_account_id: int | None = None
    reblog_of_id: int | None = None
    replies_count: int = 0
    reblogs_count: int = 0


@dataclass
class Population:
    shape: Shape
    actives: list[int] = field(default_factory=list)  # account ids, by popularity rank
    readers: list[int] = field(default_factory=list)  # a sample of the actives
    mid: list[int] = field(default_factory=list)
    big: list[int] = field(default_factory=list)
    lurkers: list[int] = field(default_factory=list)
    quiet: int = 0
    follows: list[tuple[int, int]] = field(default_factory=list)  # (follower, followed)
    statuses: list[StatusRow] = field(default_factory=list)
    created_ms: int = 0  # accounts' creation time

    @property
    def accounts(self) -> list[int]:
        return [*self.actives, *self.mid, *self.big, *self.lurkers, self.quiet]

    @property
    def token_holders(self) -> list[int]:
        """Accounts the benchmark acts as: actives, mid and big ones, the quiet one."""
        return [*self.actives, *self.mid, *self.big, self.quiet]

    def username(self, account_id: int) -> str:
        return f"u{account_id % 10**12}"


def token_for(account_id: int) -> str:
    """The known bearer token of an account (its SHA-256 is what the database holds)."""
    return f"bench-{account_id}"


class Snowflakes:
    """Snowflake ids for rows written in the past, strictly increasing per millisecond."""

    def __init__(self) -> None:
        self._last_ms = -1
        self._sequence = 0

    def at(self, unix_ms: int) -> int:
        if unix_ms <= self._last_ms:
            unix_ms = self._last_ms
            self._sequence += 1
            if self._sequence >= 1 << SEQUENCE_BITS:
                unix_ms += 1
                self._sequence = 0
        else:
            self._sequence = 0
        self._last_ms = unix_ms
        return (
            ((unix_ms - ROOST_EPOCH_MS) << (NODE_BITS + SEQUENCE_BITS))
            | (SEED_NODE << SEQUENCE_BITS)
            | self._sequence
        )


def build(shape: Shape, now_ms: int | None = None) -> Population:
    rng = random.Random(shape.seed)
    now_ms = now_ms or int(datetime.now(UTC).timestamp() * 1000)
    pop = Population(shape=shape, created_ms=now_ms - 30 * DAY_MS)
    ids = Snowflakes()
    lurker_count = max(0, shape.big_followers - shape.actives) if shape.big else 0
    sizes = (shape.actives, shape.mid, shape.big, lurker_count, 1)
    every = iter([ids.at(pop.created_ms) for _ in range(sum(sizes))])
    pop.actives, pop.mid, pop.big, pop.lurkers, (pop.quiet,) = (
        list(itertools.islice(every, n)) for n in sizes
    )
    pop.readers = rng.sample(pop.actives, min(shape.readers, shape.actives))

    _follow_graph(rng, pop)
    _statuses(rng, pop, ids, now_ms)
    return pop


def _follow_graph(rng: random.Random, pop: Population) -> None:
    shape = pop.shape
    n = len(pop.actives)
    cumulative = list(itertools.accumulate(1.0 / (r + 1) ** shape.zipf_s for r in range(n)))
    top = cumulative[-1]
    for index, follower in enumerate(pop.actives):
        wanted = int(shape.min_following * (1.0 - rng.random()) ** (-1.0 / shape.pareto_alpha))
        wanted = min(wanted, shape.max_following, n - 1)
        chosen: set[int] = set()
        for _ in range(20):  # popular ranks repeat: draw until enough distinct ones
            for _ in range(wanted - len(chosen)):
                rank = bisect.bisect_left(cumulative, rng.random() * top)
                if rank != index:
                    chosen.add(min(rank, n - 1))
            if len(chosen) >= wanted:
                break
        pop.follows += [(follower, pop.actives[rank]) for rank in sorted(chosen)]
    for mid in pop.mid:
        pop.follows += [(active, mid) for active in pop.actives]
    fans = [*pop.actives, *pop.lurkers][: shape.big_followers]
    for big in pop.big:
        pop.follows += [(fan, big) for fan in fans]


def _text(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(6, 30))
    words[0] = words[0].capitalize()
    text = " ".join(words) + rng.choice((".", "!", "?", "."))
    if rng.random() < 0.15:
        text += f" #{rng.choice(TAGS)}"
    return text


def _statuses(rng: random.Random, pop: Population, ids: Snowflakes, now_ms: int) -> None:
    shape = pop.shape
    following: dict[int, list[int]] = {}
    for follower, followed in pop.follows:
        following.setdefault(follower, []).append(followed)
    plan: list[tuple[int, int]] = []  # (created ms, author)
    for author in [*pop.actives, *pop.mid]:
        count = min(20, 1 + int(rng.expovariate(1.0 / max(shape.statuses_per_active - 1, 0.01))))
        plan += [(now_ms - rng.randint(60_000, 3 * DAY_MS), author) for _ in range(count)]
    for author in pop.big:
        plan += [
            (now_ms - rng.randint(60_000, 3 * DAY_MS), author) for _ in range(shape.big_statuses)
        ]
    plan.sort()
    by_author: dict[int, list[StatusRow]] = {}
    originals: list[StatusRow] = []
    boosted: set[tuple[int, int]] = set()
    for created_ms, author in plan:
        status_id = ids.at(created_ms)
        roll = rng.random()
        visibility = "public" if roll < 0.9 else ("unlisted" if roll < 0.97 else "private")
        row = StatusRow(
            id=status_id,
            account_id=author,
            text=_text(rng),
            visibility=visibility,
            created_ms=created_ms,
        )
        kind = rng.random()
        if kind < 0.1 and originals:
            original = originals[rng.randrange(len(originals))]
            if original.account_id != author and (author, original.id) not in boosted:
                boosted.add((author, original.id))
                row.text = ""
                row.visibility = "public"
                row.reblog_of_id = original.id
                original.reblogs_count += 1
        elif kind < 0.2:
            parents = [s for f in following.get(author, [])[:50] for s in by_author.get(f, [])[-2:]]
            parents = [p for p in parents if p.visibility != "private"]
            if parents:
                parent = rng.choice(parents)
                row.in_reply_to_id = parent.id
                row.in_reply_to_account_id = parent.account_id
                if row.visibility in ("public", "unlisted"):
                    parent.replies_count += 1
        pop.statuses.append(row)
        by_author.setdefault(author, []).append(row)
        if row.reblog_of_id is None and row.visibility in ("public", "unlisted"):
            originals.append(row)
