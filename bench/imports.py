"""The import benchmark: a WordPress export of 10,000 posts with comments, imported into an
empty database; its time, the rows per second and the process's peak memory.

    .venv/bin/python -m bench.imports [--posts 10000] [--comments 5]

Runs on a database of its own (`inkwell_bench_imports`, made afresh each run). Writes a WXR
file (a temporary one) with `--posts` posts, each with three tags of a pool of fifty, a few
paragraphs with a list, a link and a quote, and `--comments` comments threaded three deep;
then imports it in this process as `inkwell import wordpress` does, and imports it again (the
second run skips every post). Peak memory is the process's resident high-water mark (VmHWM of
/proc/self/status; `ru_maxrss` elsewhere), read before and after. Prints a Markdown summary
and writes it as JSON to bench/results/imports.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

import asyncpg
from sqlalchemy.ext.asyncio import create_async_engine

from inkwell.core import migrations
from inkwell.core.db import create_sessionmaker
from inkwell.porting.batch import ImportReport
from inkwell.porting.importer import import_file

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "inkwell_bench_imports"
RESULTS = Path("bench/results")
TAGS = [f"Topic {n}" for n in range(50)]
HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><link>https://bench.example.com</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://bench.example.com</wp:base_site_url>
"""
BODY = (
    '<p>Paragraph {n} about <strong>imports</strong> and <a href="https://example.com/{n}">'
    "a link</a>.</p>\n<ul><li>one</li><li>two</li></ul>\n<blockquote><p>A quote.</p>"
    "</blockquote>\n<p>{words}</p>"
)
WORDS = " ".join(["lorem ipsum dolor sit amet"] * 40)


def _author(n: int) -> str:
    return (
        f"<wp:author><wp:author_id>{n}</wp:author_id><wp:author_login>author{n}"
        f"</wp:author_login><wp:author_email>author{n}@example.com</wp:author_email>"
        f"<wp:author_display_name>Author {n}</wp:author_display_name></wp:author>\n"
    )


def _comment(post: int, n: int) -> str:
    parent = f"{post}{n - 1:03d}" if n % 3 else "0"  # threads three deep
    return (
        f"<wp:comment><wp:comment_id>{post}{n:03d}</wp:comment_id>"
        f"<wp:comment_author_email>guest{n}@example.net</wp:comment_author_email>"
        f"<wp:comment_date_gmt>2024-05-02 {n % 24:02d}:00:00</wp:comment_date_gmt>"
        f"<wp:comment_content><![CDATA[Comment {n} on <em>post</em> {post}.]]>"
        f"</wp:comment_content><wp:comment_approved>1</wp:comment_approved>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
    )


def _item(n: int, comments: int) -> str:
    tags = "".join(
        f'<category domain="post_tag" nicename="t{t}"><![CDATA[{TAGS[t]}]]></category>'
        for t in (n % 50, (n * 7) % 50, (n * 13) % 50)
    )
    body = "\n".join(BODY.format(n=p, words=WORDS) for p in range(3))
    thread = "".join(_comment(n, c) for c in range(comments))
    return (
        f"<item><title>Post number {n}</title><link>https://bench.example.com/?p={n}</link>"
        f"<dc:creator>author{n % 20}</dc:creator><content:encoded><![CDATA[{body}]]>"
        f"</content:encoded><wp:post_id>{n}</wp:post_id>"
        f"<wp:post_date_gmt>2024-01-01 10:00:00</wp:post_date_gmt>"
        f"<wp:post_name>post-number-{n}</wp:post_name><wp:status>publish</wp:status>"
        f"<wp:post_type>post</wp:post_type>{tags}{thread}</item>\n"
    )


def write_wxr(out: TextIO, posts: int, comments: int) -> None:
    """A WXR file of `posts` posts by twenty authors, each with `comments` comments."""
    out.write(HEAD)
    out.writelines(_author(n) for n in range(20))
    for n in range(posts):
        out.write(_item(n, comments))
    out.write("</channel></rss>\n")


def peak_rss_mib() -> float:
    """The process's resident high-water mark."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _timed_import(database_url: str, path: Path) -> tuple[ImportReport, float]:
    engine = create_async_engine(database_url)
    try:
        start = time.perf_counter()
        report = await import_file(
            create_sessionmaker(engine), kind="wordpress", path=path, max_depth=5
        )
        return report, time.perf_counter() - start
    finally:
        await engine.dispose()


def measure(database_url: str, posts: int, comments: int, scratch: Path) -> dict[str, Any]:
    """Write the file, import it twice, and report."""
    migrations.upgrade(database_url)
    path = scratch / "bench.xml"
    with path.open("w", encoding="utf-8") as out:
        write_wxr(out, posts, comments)
    before = peak_rss_mib()
    first, seconds = asyncio.run(_timed_import(database_url, path))
    peak = peak_rss_mib()
    second, again = asyncio.run(_timed_import(database_url, path))
    return {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "file_mib": round(path.stat().st_size / 2**20, 1),
        "posts": first.posts_created,
        "comments": first.comments_created,
        "authors": first.authors_created,
        "seconds": round(seconds, 2),
        "posts_per_s": round(first.posts_created / seconds, 1),
        "rss_before_mib": round(before, 1),
        "rss_peak_mib": round(peak, 1),
        "rerun_seconds": round(again, 2),
        "rerun_skipped": second.posts_skipped,
    }


def markdown(report: dict[str, Any]) -> str:
    return "\n".join(
        [
            "| posts | comments | file | import | posts/s | peak RSS (before) | second run |",
            "|---|---|---|---|---|---|---|",
            f"| {report['posts']} | {report['comments']} | {report['file_mib']} MiB "
            f"| {report['seconds']} s | {report['posts_per_s']} "
            f"| {report['rss_peak_mib']} MiB ({report['rss_before_mib']} MiB) "
            f"| {report['rerun_seconds']} s, {report['rerun_skipped']} skipped |",
        ]
    )


async def _recreate(server_url: str) -> str:
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await connection.close()
    return server_url.rsplit("/", 1)[0] + "/" + DATABASE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server-url", default=DEFAULT_SERVER)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=5)
    args = parser.parse_args()
    url = asyncio.run(_recreate(args.server_url))
    with tempfile.TemporaryDirectory(prefix="inkwell-bench-imports-") as scratch:
        report = measure(url, args.posts, args.comments, Path(scratch))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "imports.json").write_text(json.dumps(report, indent=2))
    print(markdown(report))


if __name__ == "__main__":
    main()
