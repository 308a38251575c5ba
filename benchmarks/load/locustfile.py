"""The load test's users (run by ``benchmarks/load_test.py``, which writes the fixture it reads).

Each simulated user is one editor of one organisation, with an API token and a browser session of its own: it
reads lists, searches, opens use cases, dashboards and indicators, and edits its own organisation's use cases with
their version (If-Match), so two users never race for one record and a 409 or 412 would be a real error.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from pathlib import Path

from locust import HttpUser, between, task

FIXTURE = json.loads(Path(os.environ["AIHQ_LOAD_FIXTURE"]).read_text(encoding="utf-8"))
_next = itertools.count()
_lock = threading.Lock()


class Editor(HttpUser):
    wait_time = between(0.1, 0.5)

    def on_start(self) -> None:
        with _lock:
            me = FIXTURE["editors"][next(_next) % len(FIXTURE["editors"])]
        self.api = {"Authorization": f"Token {me['token']}", "Accept-Language": "en"}
        self.client.cookies.set("sessionid", me["session"])
        self.mine = me["use_cases"]
        self.organisation = me["organisation"]
        self.rng = random.Random(me["token"])

    def _get(self, path: str, name: str, api: bool = True) -> None:
        self.client.get(path, headers=self.api if api else {"Accept-Language": "en"}, name=name)

    @task(20)
    def list_use_cases(self) -> None:
        filters = [
            "",
            f"&organisation={self.organisation}",
            "&stage=production",
            f"&sector={self.rng.choice(FIXTURE['sectors'])}",
            f"&region={self.rng.choice(FIXTURE['regions'])}",
            "&ordering=name",
            f"&page={self.rng.randint(1, max(1, len(self.mine) // 50))}",  # pages that exist (200 ids at most)
        ]
        self._get("/api/v1/use-cases/?page_size=50" + self.rng.choice(filters), "API use-case list")

    @task(8)
    def search(self) -> None:
        self._get(f"/api/v1/use-cases/?q={self.rng.choice(FIXTURE['words'])}", "API text search")

    @task(10)
    def read_use_case(self) -> None:
        self._get(f"/api/v1/use-cases/{self.rng.choice(self.mine)}/", "API use case")

    @task(5)
    def use_case_page(self) -> None:
        self._get(f"/use-cases/{self.rng.choice(self.mine)}/", "page use case", api=False)

    @task(5)
    def use_case_list_page(self) -> None:
        self._get("/use-cases/", "page use-case list", api=False)

    @task(5)
    def dashboard(self) -> None:
        self._get("/", "page dashboard", api=False)

    @task(6)
    def rollup(self) -> None:
        by = self.rng.choice(["stage", "sector", "region", "organisation"])
        self._get(f"/api/v1/use-cases/rollup/?by={by}", "API roll-up")

    @task(5)
    def indicator_status(self) -> None:
        self._get(f"/api/v1/indicators/{self.rng.choice(FIXTURE['indicators'])}/status/", "API indicator status")

    @task(2)
    def league(self) -> None:
        self._get(f"/api/v1/objectives/{self.rng.choice(FIXTURE['objectives'])}/league/", "API league table")

    @task(3)
    def objectives_page(self) -> None:
        self._get("/objectives/", "page objectives", api=False)

    @task(10)
    def edit_use_case(self) -> None:
        pk = self.rng.choice(self.mine)
        response = self.client.get(f"/api/v1/use-cases/{pk}/", headers=self.api, name="API use case")
        if response.status_code != 200:
            return
        headers = {**self.api, "If-Match": response.headers["ETag"]}
        body = {"purpose": f"Load test edit {self.rng.randint(0, 10**9)}"}
        self.client.patch(f"/api/v1/use-cases/{pk}/", json=body, headers=headers, name="API edit use case")

    @task(2)
    def create_use_case(self) -> None:
        body = {"name": f"Load test {self.rng.randint(0, 10**12)}", "organisation": self.organisation}
        with self.client.post("/api/v1/use-cases/", json=body, headers=self.api, name="API create use case",
                              catch_response=True) as response:  # fmt: skip
            if response.status_code == 201:
                self.mine.append(response.json()["id"])
                response.success()
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")
