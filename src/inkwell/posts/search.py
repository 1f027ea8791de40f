"""Full-text search of public posts: the best of the newest matches, with snippets."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Subquery,
    and_,
    bindparam,
    func,
    literal_column,
    not_,
    select,
    union_all,
)

from inkwell.core.db import DriverSelect
from inkwell.models.post import Post
from inkwell.posts.filters import PostQuery, filter_conditions, search_text, tsquery
from inkwell.posts.reads import (
    ANONYMOUS_SUMMARIES,
    VIEWER_SUMMARIES,
    ListShape,
    PostReads,
    list_shape,
    list_statements,
    to_record,
)
from inkwell.posts.records import PostRecord

SEARCH_CANDIDATES = 1_000
"""How many matches a search ranks: the newest ones, by `published_at`.

`ts_rank_cd` has to read each ranked post's search vector (about 2 KB, out of line), so
ranking every match of a broad word cost about 7 µs a match (18,500 matches: 146 ms). Up to
this many matches, search is exactly "best first"; past it, the results are the best of the
newest SEARCH_CANDIDATES matches, so an old post that matches better than all of them is not
found by this query (a narrower query finds it). Pages end after SEARCH_CANDIDATES results.
"""
# Where search looks for its candidates first: the newest posts (see _newest_matches).
SEARCH_WINDOWS = (timedelta(days=90), timedelta(days=365))
# Marks around the matched words of a snippet; the service escapes the text, then turns them
# into <mark>. A post whose text contains them only gains harmless, balanced <mark> elements.
MARK_START, MARK_STOP = "\x02", "\x03"
_HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_STOP}, MaxWords=35, MinWords=12, "
    "MaxFragments=2, FragmentDelimiter= … "
)


def _matches(conditions: list[ColumnElement[bool]], window: int | None) -> Any:
    """The matches (published after `since_<window>`, when a window is given), with how many
    there are, as a MATERIALIZED CTE: found with the GIN index (ANDed with the feed index for
    a window). Left to choose, the planner walks the feed index and tests every post's vector.
    """
    where = list(conditions)
    if window is not None:
        where.append(
            Post.published_at > bindparam(f"since_{window}", type_=DateTime(timezone=True))
        )
    name = "matches_all" if window is None else f"matches_{window}"
    return (
        select(Post.id, Post.published_at, Post.search_vector, func.count().over().label("total"))
        .where(*where)
        .cte(name)
        .prefix_with("MATERIALIZED")
    )


def _newest_matches(conditions: list[ColumnElement[bool]]) -> Subquery:
    """Every match in the narrowest of SEARCH_WINDOWS that holds more than SEARCH_CANDIDATES
    of them (else every match): the newest SEARCH_CANDIDATES matches are all in it.

    A window is only read when the narrower ones held too few, so a broad word reads the
    matches of its last months instead of all of them (18,000 rows: 27 ms before), and a rare
    word reads a few small windows. One statement: each branch has a one-time filter on the
    counts, and PostgreSQL skips the branches (and windows) whose filter is false.
    """
    windows = [_matches(conditions, n) for n in range(len(SEARCH_WINDOWS))]
    everything = _matches(conditions, None)
    candidates = bindparam("candidates", type_=Integer)
    counts = [
        func.coalesce(select(window.c.total).limit(1).scalar_subquery(), 0) for window in windows
    ]
    # A window is worth reading when the narrower one's matches, scaled to its length, would
    # be enough (a word spread over years); else the next step is every match.
    taken: list[ColumnElement[bool]] = []
    for n, count in enumerate(counts):
        if n == 0:
            taken.append(count > candidates)
            continue
        scale = SEARCH_WINDOWS[n] / SEARCH_WINDOWS[n - 1]
        taken.append(and_(counts[n - 1] * scale > candidates, count > candidates))
    branches = []
    for n, matches in enumerate([*windows, everything]):
        gate = [not_(was_taken) for was_taken in taken[:n]]
        if n < len(taken):
            gate.append(taken[n])
        branches.append(select(*matches.c).where(*gate))
    return union_all(*branches).subquery("matches")


def _best_of_newest_matches(query: Any, conditions: list[ColumnElement[bool]]) -> Subquery:
    """The page of the newest SEARCH_CANDIDATES matches ranked best first: `post_id`, `rank`
    and `total` (the matches counted in the window they were taken from: more than
    SEARCH_CANDIDATES unless every match was read). Only the candidates' vectors are read
    (detoasted) to rank them.
    """
    matches = _newest_matches(conditions)
    newest = (
        select(matches)
        .order_by(matches.c.published_at.desc(), matches.c.id.desc())
        .limit(bindparam("candidates"))
        .subquery("newest")
    )
    rank = func.ts_rank_cd(newest.c.search_vector, query).label("rank")
    return (
        select(newest.c.id.label("post_id"), rank, newest.c.total)
        .order_by(rank.desc(), newest.c.published_at.desc(), newest.c.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery("best")
    )


@lru_cache(maxsize=16)
def search_statement(shape: ListShape) -> DriverSelect:
    """A page of search hits with their snippets, built once for each shape."""
    query = tsquery(search_text())
    best = _best_of_newest_matches(query, filter_conditions(shape.filters))
    headline = func.ts_headline(
        literal_column("'english'::regconfig"), Post.content_raw, query, _HEADLINE_OPTIONS
    ).label("snippet")
    return DriverSelect(
        (VIEWER_SUMMARIES if shape.viewer else ANONYMOUS_SUMMARIES)
        .add_columns(best.c.rank, headline, best.c.total)
        .join(best, best.c.post_id == Post.id)
        .order_by(best.c.rank.desc(), Post.published_at.desc(), Post.id.desc())
    )


def search_params(
    query: PostQuery, viewer_id: uuid.UUID | None
) -> tuple[ListShape, dict[str, Any]]:
    """The shape of a search and the values its statement binds."""
    shape, params = list_shape(query, viewer_id)
    params.setdefault("offset", 0)
    params["candidates"] = SEARCH_CANDIDATES
    params.update((f"since_{n}", query.now - window) for n, window in enumerate(SEARCH_WINDOWS))
    return shape, params


class PostSearch(PostReads):
    async def search(
        self, query: PostQuery, viewer_id: uuid.UUID | None = None
    ) -> tuple[list[PostRecord], int]:
        """Public posts matching `query.q`: the best of the newest SEARCH_CANDIDATES matches,
        ranked best first, each with a marked-up snippet, and how many posts match in all.
        """
        shape, params = search_params(query, viewer_id)
        rows = await self._rows(search_statement(shape), params)
        if rows:
            total = rows[0]["total"]
        elif query.offset:  # past the last page: count on its own
            total = await self.session.scalar(list_statements(shape).count, params)
        else:
            total = 0
        records = [
            replace(to_record(row), rank=float(row["rank"]), snippet=row["snippet"]) for row in rows
        ]
        return records, int(total or 0)
