"""The RealWorld (Conduit) API under /api: its routers, and its error format for main.py."""

from __future__ import annotations

from fastapi import APIRouter

from inkwell.core.routing import PrefixRouter
from inkwell.realworld.articles import router as articles_router
from inkwell.realworld.dependencies import OPTIONAL_TOKEN_SCHEME, TOKEN_SCHEME
from inkwell.realworld.errors import render_conduit_error
from inkwell.realworld.users import router as users_router

API_PREFIX = "/api"
ERROR_RENDERERS = {API_PREFIX: render_conduit_error}
# How the OpenAPI document describes RealWorld's errors: `{"errors": {"<field>": ["<message>"]}}`.
ERROR_CONTENT = {
    API_PREFIX: {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["errors"],
                "properties": {
                    "errors": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    }
                },
            }
        }
    }
}
OPTIONAL_SCHEMES = {OPTIONAL_TOKEN_SCHEME: TOKEN_SCHEME}


def realworld_router(excluded: tuple[str, ...] = ()) -> APIRouter:
    """Every RealWorld endpoint, under /api, tagged "RealWorld" in /docs; paths under the
    `excluded` prefixes pass it by."""
    api = PrefixRouter(prefix=API_PREFIX, excluded=excluded)
    # Articles first: their reads are the most frequent requests, and a request is matched
    # against every route before its own (the two routers share no path).
    api.include_router(articles_router)
    api.include_router(users_router)
    return api
