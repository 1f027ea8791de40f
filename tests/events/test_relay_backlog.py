"""Taking a batch behind a backlog reads about as many rows as it takes, not the backlog
times each key's share of it (which made a batch cost seconds after a broker outage)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import text

from inkwell.core.state import AppState
from inkwell.events.relay import _TAKE
from tests.events.relaying import likes, record

BACKLOG = 2_000
KEYS = 4
BATCH = 100


def _rows_read(plan: dict[str, Any]) -> float:
    """Rows every scan node of a plan produced or threw away, over all its loops."""
    read = 0.0
    if "Scan" in plan["Node Type"]:
        kept = plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)
        read += kept * plan["Actual Loops"]
    for child in plan.get("Plans", []):
        read += _rows_read(child)
    return read


async def test_a_batch_behind_a_backlog_reads_rows_in_proportion_to_the_backlog(
    committing_state: AppState,
) -> None:
    posts = [uuid.uuid4() for _ in range(KEYS)]
    for post in posts:
        for first in range(1, BACKLOG // KEYS, 100):
            await record(committing_state, *likes(post, first, first + 99))
    # No ANALYZE: a backlog grows faster than autovacuum gathers statistics.
    async with committing_state.sessionmaker() as session:
        explained = await session.scalar(
            text(f"EXPLAIN (ANALYZE, FORMAT JSON) {_TAKE.replace('$1', str(BATCH))}")
        )
        await session.rollback()
    plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]
    # The earlier query checked each of the 2,000 rows against its key's earlier ones: it read
    # 2,004,000 rows here. Now: at most a pass over the backlog and the batch (4,000).
    assert _rows_read(plan) <= 3 * BACKLOG
