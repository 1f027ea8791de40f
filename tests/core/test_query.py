"""QueryModel reads, refuses and documents a query string as FastAPI's Query() models do."""

from __future__ import annotations

from typing import Annotated, Literal

import httpx
import pytest
from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel, Field

from inkwell.core.query import QueryModel


class Params(BaseModel):
    page: Annotated[int, Field(ge=1, le=100, description="Which page")] = 1
    tag: Annotated[list[Annotated[str, Field(max_length=5)]], Field(max_length=2)] = Field(
        default_factory=list
    )
    author: str | None = None
    ids: list[int] | None = None
    sort: Literal["newest", "oldest"] = "newest"
    since: Annotated[str, Field(pattern=r"^\d{4}$")]


READ = QueryModel(Params)


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/fastapi")
    async def by_fastapi(params: Annotated[Params, Query()]) -> Params:
        return params

    @app.get("/ours", openapi_extra=READ.openapi)
    async def by_query_model(params: Annotated[Params, Depends(READ)]) -> Params:
        return params

    return app


def test_the_parameters_are_documented_as_fastapi_documents_them() -> None:
    paths = _app().openapi()["paths"]
    assert paths["/ours"]["get"]["parameters"] == paths["/fastapi"]["get"]["parameters"]
    assert any(p.get("description") == "Which page" for p in paths["/ours"]["get"]["parameters"])


@pytest.mark.parametrize(
    "query",
    [
        "since=2026",
        "since=2026&page=3&tag=a&tag=b&author=ann&sort=oldest",
        "since=2026&page=2&page=4",  # the last of a repeated value, as FastAPI takes it
        "since=2026&tag=a",
        "since=2026&ids=1&ids=2",
        "since=2026&ids=x",
        "since=2026&unknown=1",
        "",
        "since=26",
        "since=2026&page=0&page=x",
        "since=2026&page=abc&sort=random",
        "since=2026&tag=a&tag=b&tag=c",
        "since=2026&tag=toolong",
    ],
)
async def test_values_and_errors_are_fastapis(query: str) -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        expected = await client.get(f"/fastapi?{query}")
        answered = await client.get(f"/ours?{query}")
    assert (answered.status_code, answered.json()) == (expected.status_code, expected.json())
