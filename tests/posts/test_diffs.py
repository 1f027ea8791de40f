"""Comparing two versions of a post: the diff functions and GET .../versions/{a}/diff/{b}."""

from __future__ import annotations

import difflib
from itertools import pairwise
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st

from inkwell.posts.diffs import MAX_WORD_TOKENS, Segment, metadata_changes, unified, words
from tests.posts.conftest import Account

POSTS = "/api/v1/posts"


def _sides(segments: list[Segment]) -> tuple[str, str]:
    before = "".join(s.text for s in segments if s.op != "insert")
    after = "".join(s.text for s in segments if s.op != "delete")
    return before, after


def test_a_word_diff_marks_the_changed_words_only() -> None:
    segments = words("The quick brown fox\njumps over\n", "The quick red fox\njumps over\nit\n")
    assert segments == [
        Segment("equal", "The quick "),
        Segment("delete", "brown"),
        Segment("insert", "red"),
        Segment("equal", " fox\njumps over\n"),
        Segment("insert", "it\n"),
    ]


def test_rewritten_lines_show_replaced_whole_rather_than_word_by_word() -> None:
    segments = words("alpha beta gamma\nkeep me\n", "delta epsilon zeta\nkeep me\n")
    assert segments == [
        Segment("delete", "alpha beta gamma\n"),
        Segment("insert", "delta epsilon zeta\n"),
        Segment("equal", "keep me\n"),
    ]


def test_a_block_too_large_to_match_word_by_word_is_shown_replaced() -> None:
    before = " ".join(f"w{n}" for n in range(MAX_WORD_TOKENS)) + "\n"
    after = "one line\n" + before.replace("w7 ", "seven ")
    segments = words(before, after)
    assert [s.op for s in segments] == ["delete", "insert"]
    assert _sides(segments) == (before, after)


texts = st.lists(st.text(alphabet=st.sampled_from("ab \n"), max_size=12), max_size=6).map("".join)


@given(before=texts, after=texts)
def test_a_word_diff_rebuilds_both_versions(before: str, after: str) -> None:
    segments = words(before, after)
    assert _sides(segments) == (before, after)
    assert all(s.text for s in segments)
    assert all(a.op != b.op for a, b in pairwise(segments))


def test_a_unified_diff_is_what_diff_u_prints() -> None:
    text = unified("a\nb\nc\n", "a\nB\nc", context=1, labels=("version 1", "version 2"))
    assert text == (
        "--- version 1\n+++ version 2\n@@ -1,3 +1,3 @@\n a\n-b\n-c\n+B\n+c\n"
        "\\ No newline at end of file\n"
    )
    assert unified("same\n", "same\n", context=3, labels=("a", "b")) == ""


def test_metadata_changes_list_added_removed_and_changed_keys() -> None:
    before: dict[str, Any] = {"seo_title": "Old", "kept": 1, "gone": True}
    after: dict[str, Any] = {"seo_title": "New", "kept": 1, "new": [1, 2]}
    changes = [(c.key, c.before, c.after) for c in metadata_changes(before, after)]
    assert changes == [("gone", True, None), ("new", None, [1, 2]), ("seo_title", "Old", "New")]


async def _post_with_versions(client: httpx.AsyncClient, author: Account) -> str:
    created = await client.post(
        POSTS,
        headers=author.headers,
        json={
            "title": "Draft title",
            "summary": "Same summary",
            "content_raw": "Intro line\nThe quick brown fox\n",
            "metadata": {"seo_title": "first"},
        },
    )
    url = f"{POSTS}/{created.json()['id']}"
    edit = {
        "title": "Final title",
        "content_raw": "Intro line\nThe quick red fox\nA new ending\n",
        "metadata": {"seo_title": "second", "canonical_url": "https://example.com/x"},
    }
    updated = await client.patch(url, json=edit, headers=author.headers)
    assert updated.status_code == 200, updated.text
    return url


async def test_the_diff_of_two_versions_as_unified_text(
    client: httpx.AsyncClient, alice: Account
) -> None:
    url = await _post_with_versions(client, alice)
    response = await client.get(f"{url}/versions/1/diff/2", headers=alice.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["format"] == "unified"
    assert (body["before"]["version"], body["after"]["version"]) == (1, 2)
    assert body["title"] == {"changed": True, "before": "Draft title", "after": "Final title"}
    assert body["summary"]["changed"] is False
    assert body["content"]["changed"] is True
    assert body["content"]["words"] is None
    expected = "".join(
        difflib.unified_diff(
            ["Intro line\n", "The quick brown fox\n"],
            ["Intro line\n", "The quick red fox\n", "A new ending\n"],
            fromfile="version 1",
            tofile="version 2",
        )
    )
    assert body["content"]["unified"] == expected
    assert body["metadata"] == [
        {"key": "canonical_url", "before": None, "after": "https://example.com/x"},
        {"key": "seo_title", "before": "first", "after": "second"},
    ]


async def test_the_diff_as_words_and_in_either_direction(
    client: httpx.AsyncClient, alice: Account, admin: Account
) -> None:
    url = await _post_with_versions(client, alice)
    forward = await client.get(f"{url}/versions/1/diff/2?format=words", headers=admin.headers)
    backward = await client.get(f"{url}/versions/2/diff/1?format=words", headers=alice.headers)
    assert forward.status_code == backward.status_code == 200
    runs = [(s["op"], s["text"]) for s in forward.json()["content"]["words"]]
    assert runs == [
        ("equal", "Intro line\nThe quick "),
        ("delete", "brown"),
        ("insert", "red"),
        ("equal", " fox\n"),
        ("insert", "A new ending\n"),
    ]
    assert forward.json()["content"]["unified"] is None
    reversed_runs = [(s["op"], s["text"]) for s in backward.json()["content"]["words"]]
    assert ("delete", "A new ending\n") in reversed_runs
    assert backward.json()["title"]["before"] == "Final title"


async def test_only_the_author_and_admins_compare_versions_and_bad_input_is_refused(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    url = await _post_with_versions(client, alice)
    assert (await client.get(f"{url}/versions/1/diff/2")).status_code == 401
    assert (await client.get(f"{url}/versions/1/diff/2", headers=bob.headers)).status_code == 404
    missing = await client.get(f"{url}/versions/1/diff/9", headers=alice.headers)
    assert missing.status_code == 404
    for query in ("format=html", "context=-1", "context=101"):
        bad = await client.get(f"{url}/versions/1/diff/2?{query}", headers=alice.headers)
        assert bad.status_code == 422, query
    zero = await client.get(f"{url}/versions/0/diff/2", headers=alice.headers)
    assert zero.status_code == 422
