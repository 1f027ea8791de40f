"""`inkwell seed-demo`: a few authors and about fifty realistic posts, so a new blog looks alive."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.core.security import PasswordHasher
from inkwell.events.outbox import Outbox
from inkwell.models.user import Role, User
from inkwell.posts.repository import PostRepository
from inkwell.posts.schemas import PostCreate
from inkwell.posts.service import PostService
from inkwell.tags.repository import TagRepository
from inkwell.users.repository import UserRepository
from inkwell.users.service import registered

DEMO_PASSWORD = "inkwell-demo-password"  # noqa: S105 - printed for local demo accounts
AUTHORS = [
    ("ada", "Ada Lovelace", "Writes about databases and the engines under them.", Role.ADMIN),
    ("grace", "Grace Hopper", "Compilers, tooling and the teams that ship them.", Role.MODERATOR),
    ("linus", "Linus Pauling", "Chemistry, cooking and the science of the kitchen.", Role.AUTHOR),
    ("rosalind", "Rosalind Franklin", "Gardens, travel and slow photography.", Role.AUTHOR),
    ("alan", "Alan Turing", "Puzzles, running and the occasional proof.", Role.AUTHOR),
]


@dataclass(frozen=True)
class Topic:
    tags: tuple[str, ...]
    titles: tuple[str, ...]
    sentences: tuple[str, ...]


TOPICS = [
    Topic(
        ("PostgreSQL", "Performance"),
        (
            "Why your index is not used",
            "Reading EXPLAIN ANALYZE without fear",
            "Partial indexes in practice",
            "Keyset pagination instead of OFFSET",
            "Full-text search with tsvector and GIN",
        ),
        (
            "The planner estimates rows from statistics, so stale statistics mislead it.",
            "A partial index only helps when the query repeats its predicate exactly.",
            "OFFSET reads and throws away every row before the page you asked for.",
            "`ts_rank_cd` rewards documents where the matched words sit close together.",
            "Run `ANALYZE` after a bulk load; autovacuum will get there, but later.",
            "A GIN index on a tsvector column turns a sequential scan into a bitmap scan.",
        ),
    ),
    Topic(
        ("Python", "Async"),
        (
            "Structured concurrency with task groups",
            "When asyncio is the wrong tool",
            "Typing a service layer with Protocols",
            "Profiling an async web service",
            "Connection pools, explained slowly",
        ),
        (
            "A blocking call inside a coroutine stalls every other request on the loop.",
            "Task groups cancel the siblings of a failed task, which is usually what you want.",
            "`mypy --strict` finds the bugs that tests forget to look for.",
            "A pool that is too large hurts the database more than it helps the app.",
            "Measure first: the slow part is rarely where intuition says it is.",
            "Short functions with plain names make reviews faster than any linter.",
        ),
    ),
    Topic(
        ("Cooking",),
        (
            "The chemistry of a perfect crust",
            "Salt the pasta water like the sea?",
            "Bread with four ingredients",
            "Caramel without fear",
            "A weeknight ramen",
        ),
        (
            "The Maillard reaction needs heat and a dry surface to get going.",
            "Salt does more for flavour than for boiling point, whatever the myth says.",
            "A long, cold proof gives bread a deeper taste than any extra ingredient.",
            "Sugar caramelises around 170 °C; a thermometer removes the guesswork.",
            "A good stock is mostly patience and a very low flame.",
        ),
    ),
    Topic(
        ("Gardening", "Travel"),
        (
            "Tomatoes on a balcony",
            "What the hedgerows taught me",
            "Three days in Porto",
            "Seed saving for beginners",
            "Walking the Cotswold Way",
        ),
        (
            "Tomatoes want six hours of sun and far less water than you think.",
            "Most seeds keep for years in a cool, dry, dark place.",
            "The best maps are the ones you draw after the walk.",
            "A slow train shows you more of a country than a fast plane.",
            "Compost is just patience that smells a little.",
        ),
    ),
    Topic(
        ("Running", "Puzzles"),
        (
            "Training for a first marathon",
            "The joy of logic grids",
            "Easy runs, hard days",
            "A puzzle a day",
            "Recovery is training too",
        ),
        (
            "Most of your running should feel easy enough to hold a conversation.",
            "A good puzzle has exactly one solution and no guessing.",
            "Sleep is the cheapest performance enhancer there is.",
            "Progress comes from consistency, not from heroic single sessions.",
            "Write the constraints down before trying to be clever.",
        ),
    ),
]


def _markdown(rng: random.Random, topic: Topic) -> str:
    paragraphs = []
    for heading in rng.sample(["Background", "What I tried", "What worked", "Next"], k=3):
        body = " ".join(rng.sample(topic.sentences, k=min(3, len(topic.sentences))))
        paragraphs.append(f"## {heading}\n\n{body}")
    paragraphs.append("- " + "\n- ".join(rng.sample(topic.sentences, k=2)))
    paragraphs.append("More on this in [the docs](https://www.postgresql.org/docs/).")
    return "\n\n".join(paragraphs)


async def _authors(users: UserRepository, hasher: PasswordHasher, events: Outbox) -> list[User]:
    password_hash = await hasher.hash(DEMO_PASSWORD)
    authors = [
        User(
            username=name,
            email=f"{name}@demo.inkwell.dev",
            display_name=display,
            bio=bio,
            role=role,
            password_hash=password_hash,
        )
        for name, display, bio, role in AUTHORS
    ]
    for author in authors:
        await users.add(author)
        await events.record(registered(author))
    return authors


async def seed_demo(
    session: AsyncSession,
    hasher: PasswordHasher,
    settings: Settings,
    *,
    posts: int = 50,
    seed: int = 7,
) -> int:
    """Create the demo authors and posts; returns how many posts were made (0 if already seeded)."""
    users = UserRepository(session)
    if await users.get_by_username(AUTHORS[0][0]):
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo content, not secrets
    events = Outbox(session, settings)
    authors = await _authors(users, hasher, events)
    repository = PostRepository(session)
    service = PostService(posts=repository, tags=TagRepository(session), events=events)
    now = datetime.now(UTC)
    for n in range(posts):
        topic = TOPICS[n % len(TOPICS)]
        status, when = _status(rng, n, now)
        data = PostCreate(
            title=_title(topic, n),
            content_raw=_markdown(rng, topic),
            tags=list(topic.tags),
            status=status,
            published_at=when,
        )
        record = await service.create(author=authors[n % len(authors)], data=data)
        await repository.increment(record.post.id, "likes_count", rng.randint(0, 120))
        await repository.increment(record.post.id, "views_count", rng.randint(50, 5000))
    return posts


def _title(topic: Topic, n: int) -> str:
    """Each topic's titles in turn; the second round are follow-ups."""
    rounds, index = divmod(n // len(TOPICS), len(topic.titles))
    title = topic.titles[index]
    return f"{title}, part {rounds + 1}" if rounds else title


def _status(rng: random.Random, n: int, now: datetime) -> tuple[str, datetime | None]:
    if n % 17 == 16:
        return "draft", None
    if n % 23 == 22:
        return "scheduled", now + timedelta(days=rng.randint(1, 7))
    return "published", now - timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 1440))
