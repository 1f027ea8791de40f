"""Slugs: transliterated, lower case, hyphenated, bounded."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inkwell.core.slugs import MAX_SLUG_LENGTH, SLUG_PATTERN, is_slug, slugify


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Hello, World!", "hello-world"),
        ("Crème Brûlée: 101", "creme-brulee-101"),
        ("Straße & Ölfeld", "strasse-olfeld"),
        ("你好 世界", "nihao-shijie"),
        ("  --Already-slugged--  ", "already-slugged"),
        ("!!!", ""),
        ("100% _under_ 'quoted'", "100-under-quoted"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_long_titles_are_cut_at_a_hyphen() -> None:
    slug = slugify("word " * 50)
    assert len(slug) <= MAX_SLUG_LENGTH
    assert not slug.endswith("-")
    assert slugify("a" * 100) == "a" * MAX_SLUG_LENGTH


@given(st.text(max_size=300))
def test_slugify_output_is_always_a_slug_or_empty(title: str) -> None:
    slug = slugify(title)
    assert slug == "" or re.fullmatch(SLUG_PATTERN, slug)
    assert len(slug) <= MAX_SLUG_LENGTH


def test_is_slug() -> None:
    assert is_slug("a-b-1")
    assert not is_slug("A-b")
    assert not is_slug("a--b")
    assert not is_slug("a\x00")
    assert not is_slug("a" * 201)
