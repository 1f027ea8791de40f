"""The HTTP caching helpers: ETags, If-None-Match (RFC 9110 weak comparison), Cache-Control."""

from __future__ import annotations

import pytest

from inkwell.core.http_cache import PRIVATE, cache_control, none_match, weak_etag

TAG = weak_etag("a", 1, None)


def test_weak_etag_is_stable_weak_and_changes_with_any_part() -> None:
    assert weak_etag("a", 1, None) == TAG
    assert TAG.startswith('W/"')
    assert TAG.endswith('"')
    assert weak_etag("a", 2, None) != TAG
    assert weak_etag("a", 1) != TAG
    # Parts are separated: moving text from one part to the next is a different tag.
    assert weak_etag("ab", "c") != weak_etag("a", "bc")


@pytest.mark.parametrize(
    "header",
    [
        TAG,
        TAG.removeprefix("W/"),  # a strong form of the same tag matches weakly
        "*",
        f'"other", {TAG}',
        f'"other",{TAG} , "third"',
        f'W/"x", {TAG.removeprefix("W/")}',
    ],
)
def test_if_none_match_names_the_current_tag(header: str) -> None:
    assert none_match(header, TAG)


@pytest.mark.parametrize(
    "header", [None, "", '"other"', 'W/"other", "third"', TAG.replace('"', "")]
)
def test_if_none_match_without_the_current_tag(header: str | None) -> None:
    assert not none_match(header, TAG)


def test_strong_tags_compare_weakly_too() -> None:
    assert none_match('W/"p-1"', '"p-1"')
    assert not none_match('"p-2"', '"p-1"')


def test_cache_control() -> None:
    shared = cache_control(10, 30, shared=True)
    assert shared == "public, max-age=10, stale-while-revalidate=30"
    assert cache_control(10, 0, shared=True) == "public, max-age=10"
    assert cache_control(0, 30, shared=True) == "no-cache"
    assert cache_control(10, 30, shared=False) == PRIVATE == "private, no-cache"
