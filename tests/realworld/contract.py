"""The RealWorld contract as a checker of API responses.

The contract is the shared one (../shared/realworld/openapi.yml) when it sits beside the
repository, else the copy kept in tests/realworld/contract_files/.

Every response a RealWorld test receives is checked against the operation's documented
responses: the status must be one the contract lists for it, and a JSON body must match its
schema, strictly (no property the contract does not declare, so list items carry no `body`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_CONTRACT = (REPO_ROOT / "../shared/realworld/openapi.yml").resolve()
KEPT_CONTRACT = Path(__file__).with_name("contract_files") / "openapi.yml"
CONTRACT_PATH = SHARED_CONTRACT if SHARED_CONTRACT.is_file() else KEPT_CONTRACT
_BASE = "urn:realworld-contract"


class ContractMissing(RuntimeError):
    pass


def _strict(node: Any) -> Any:
    """Every object schema that lists its properties refuses any other property."""
    if isinstance(node, dict):
        strict = {key: _strict(value) for key, value in node.items()}
        if "properties" in strict and "additionalProperties" not in strict:
            strict["additionalProperties"] = False
        return strict
    if isinstance(node, list):
        return [_strict(item) for item in node]
    return node


@lru_cache(maxsize=1)
def load_contract() -> Contract:
    if not CONTRACT_PATH.is_file():
        raise ContractMissing(
            f"The RealWorld contract is not at {CONTRACT_PATH}: the tests of /api are written "
            "from it (tests/realworld/contract_files/README.md says where it comes from)."
        )
    return Contract(yaml.safe_load(CONTRACT_PATH.read_text()))


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


class Contract:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = _strict(copy.deepcopy(document))
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(_BASE, resource)
        self.operations = [
            (self._pattern(path), method, f"/paths/{_escape(path)}/{method}", spec)
            for path, item in self.document["paths"].items()
            for method, spec in item.items()
        ]
        self.allowed_extra: set[int] = set()

    @staticmethod
    def _pattern(path: str) -> re.Pattern[str]:
        return re.compile("^/api" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        """The JSON pointer and the spec of the operation that serves `method path`."""
        for pattern, op_method, pointer, spec in self.operations:
            if op_method == method.lower() and pattern.match(path):
                return pointer, spec
        return None

    def body_schema(self, pointer: str, spec: dict[str, Any], status: int) -> str | None:
        """A pointer to the JSON schema of a documented response (None: it has no body)."""
        response = spec["responses"][str(status)]
        pointer = f"{pointer}/responses/{status}"
        if "$ref" in response:
            pointer = response["$ref"].removeprefix("#")
            response = self.registry.resolver(_BASE).lookup(response["$ref"]).contents
        if "application/json" not in (response.get("content") or {}):
            return None
        return f"{pointer}/content/application~1json/schema"

    def validate(self, pointer: str, body: Any) -> None:
        """Assert that `body` matches the schema at `pointer` in the contract."""
        validator = Draft202012Validator({"$ref": f"{_BASE}#{pointer}"}, registry=self.registry)
        errors = sorted(validator.iter_errors(body), key=str)
        assert not errors, f"response breaks the contract: {errors[0].message} in {body}"

    def check(self, response: httpx.Response) -> None:
        """Assert that a response of /api (not /api/v1) is one the contract allows."""
        request = response.request
        path = request.url.path
        if not path.startswith("/api/") or path.startswith("/api/v1"):
            return
        found = self.operation(request.method, path)
        if found is None:  # not a RealWorld operation (OPTIONS, an unknown path)
            return
        pointer, spec = found
        status = response.status_code
        if str(status) not in spec["responses"]:
            assert status in self.allowed_extra, (
                f"{request.method} {path} answered {status}, which the contract does not list: "
                f"{response.text[:300]}"
            )
            self.validate("/components/schemas/GenericErrorModel", response.json())
            return
        schema = self.body_schema(pointer, spec, status)
        if schema is None:
            assert response.content == b"", f"{status} must have no body: {response.text[:200]}"
            return
        assert response.headers["content-type"].startswith("application/json")
        self.validate(schema, response.json())

    @contextmanager
    def allowing(self, *statuses: int) -> Iterator[None]:
        """Accept statuses the contract does not list (Inkwell's own refusals, e.g. 403 when
        a post takes no comments); their body must still be a RealWorld error."""
        self.allowed_extra = set(statuses)
        try:
            yield
        finally:
            self.allowed_extra = set()
