"""Issue 6's mixed workload for locust (run by bench/extras.py, not imported by the app).

The issue's mix, as task weights out of 100: 45 list, 25 single post, 8 comments (a page of
threads of a post that has comments), 6 tag, 4 search, 5 comment writes (a comment on one of
those posts), 3 post writes, 2 refresh, 1 login, 1 deletes (of the user's own posts). Each
simulated user signs in once when it starts (counted under "login") and sends requests back to
back (a closed loop, no think time). bench/extras.py deletes what the run wrote.
"""

# ruff: noqa: S311 - load generation, not cryptography
from __future__ import annotations

import json
import os
import random
from typing import Any

from locust import FastHttpUser, task

DATA: dict[str, list[str]] = json.loads(open(os.environ["BENCH_MIXED_DATA"]).read())  # noqa: SIM115
PASSWORD = "inkwell-bench-password"  # noqa: S105 - bench.generate.BENCH_PASSWORD
BODY = "Bench mixed content. " * 100  # about 2 KB of Markdown
# Every write starts with "Bench mixed ", which is how the clean-up finds it.
COMMENT = "Bench mixed comment: a reader's reply of a few sentences. " * 3


def _expect(answer: Any, status: int) -> bool:
    """Count the answer as a success only with this status."""
    if answer.status_code == status:
        answer.success()
        return True
    answer.failure(f"status {answer.status_code}")
    return False


class Reader(FastHttpUser):
    access = ""
    username = ""
    refresh_token = ""
    own: list[str]

    def on_start(self) -> None:
        self.own = []
        self.username = f"author{random.randrange(1000)}"  # the same account for every login
        self._login()

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}

    def _login(self) -> None:
        with self.client.post(
            "/api/v1/auth/login",
            json={"login": self.username, "password": PASSWORD},
            name="login",
            catch_response=True,
        ) as answer:
            self._keep(answer)

    def _keep(self, answer: Any) -> None:
        if _expect(answer, 200):
            tokens = answer.json()
            self.access, self.refresh_token = tokens["access_token"], tokens["refresh_token"]

    @task(45)
    def list_posts(self) -> None:
        self.client.get("/api/v1/posts", name="list")

    @task(25)
    def single_post(self) -> None:
        self.client.get(f"/api/v1/posts/{random.choice(DATA['slugs'])}", name="post")

    @task(8)
    def comments(self) -> None:
        slug = random.choice(DATA["commented"])
        self.client.get(f"/api/v1/posts/{slug}/comments", name="comments")

    @task(6)
    def tag(self) -> None:
        self.client.get(f"/api/v1/posts?tag={random.choice(DATA['tags'])}", name="tag")

    @task(4)
    def search(self) -> None:
        self.client.get(f"/api/v1/posts/search?q={random.choice(DATA['words'])}", name="search")

    @task(5)
    def write_comment(self) -> None:
        slug = random.choice(DATA["commented"])
        with self.client.post(
            f"/api/v1/posts/{slug}/comments",
            json={"content": COMMENT},
            headers=self._auth(),
            name="comment write",
            catch_response=True,
        ) as answer:
            _expect(answer, 201)

    @task(3)
    def write_post(self) -> None:
        body = {
            "title": f"Bench mixed {random.getrandbits(48):x}",
            "content_raw": BODY,
            "status": "published",
        }
        with self.client.post(
            "/api/v1/posts", json=body, headers=self._auth(), name="post write", catch_response=True
        ) as answer:
            if _expect(answer, 201):
                self.own.append(answer.json()["id"])

    @task(2)
    def refresh(self) -> None:
        with self.client.post(
            "/api/v1/auth/refresh",
            json={"refresh_token": self.refresh_token},
            name="refresh",
            catch_response=True,
        ) as answer:
            self._keep(answer)

    @task(1)
    def login(self) -> None:
        self._login()

    @task(1)
    def delete(self) -> None:
        if not self.own:
            self.write_post()
            return
        self.client.delete(f"/api/v1/posts/{self.own.pop()}", headers=self._auth(), name="delete")
