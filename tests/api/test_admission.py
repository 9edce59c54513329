"""Fair admission to the query workers, against a live server with real clients.

Different clients are different loopback source addresses (127.0.0.2, 127.0.0.3, ... all reach
the server on 127.0.0.1 under Linux). A slow query keeps a worker busy until the query time
limit (a few seconds here), so a client can hold workers on purpose.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx

from .conftest import Live, api_settings

SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def client_at(address: str, timeout: float = 15.0) -> httpx.Client:
    """An HTTP client whose connections come from ``address`` (a loopback address)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=timeout)


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass; whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


class Sender:
    """Queries sent from one address in threads; their outcomes, in the order they end."""

    def __init__(self, address: str, url: str) -> None:
        self.address = address
        self.url = url
        self.outcomes: list[tuple[int, float, httpx.Headers, str]] = []
        self.errors: list[BaseException] = []
        self.threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def send(
        self,
        count: int,
        params: dict[str, str],
        timeout: float = 15.0,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Start ``count`` requests in parallel (one connection each)."""
        for _ in range(count):
            thread = threading.Thread(
                target=self._one, args=(params, timeout, headers or {}), daemon=True
            )
            thread.start()
            self.threads.append(thread)

    def _one(self, params: dict[str, str], timeout: float, headers: dict[str, str]) -> None:
        started = time.monotonic()
        try:
            with client_at(self.address, timeout) as client:
                r = client.get(self.url, params=params, headers=headers)
        except httpx.HTTPError as exc:
            with self._lock:
                self.errors.append(exc)
            return
        with self._lock:
            self.outcomes.append((r.status_code, time.monotonic() - started, r.headers, r.text))

    def join(self, seconds: float = 20.0) -> None:
        """Wait for every request (bounded)."""
        deadline = time.monotonic() + seconds
        for thread in self.threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
            assert not thread.is_alive(), "a request did not end"


def test_a_flooding_client_gets_429_and_another_is_served_at_once(
    live_factory: Callable[..., Live],
) -> None:
    live = live_factory(api_settings(query_timeout=3.0, client_queries=4, client_queue=0))
    gate = live.app.state.admission
    flood = Sender("127.0.0.2", live.sparql)
    flood.send(12, {"query": SLOW_QUERY})
    assert wait_for(lambda: len(flood.outcomes) >= 8, 5), flood.outcomes
    refused = list(flood.outcomes)
    assert [status for status, *_ in refused] == [429] * 8
    for _status, seconds, headers, text in refused:
        assert seconds < 1.0
        assert headers["retry-after"] == "1"
        assert headers["content-type"].startswith("text/plain")
        assert text.count("\n") == 1 and "JAIF_CLIENT_QUERIES" in text
    assert gate.per_client == {"127.0.0.2": 4}

    started = time.monotonic()
    with client_at("127.0.0.3") as other:
        r = other.get(live.sparql, params={"query": "ASK {}"})
    seconds = time.monotonic() - started
    assert r.status_code == 200, r.text
    assert seconds < 1.0
    assert len(flood.outcomes) == 8, "the flood's admitted queries should still be running"

    flood.join()
    assert not flood.errors
    assert sorted(status for status, *_ in flood.outcomes) == [429] * 8 + [503] * 4
    assert gate.in_flight == 0 and gate.per_client == {}
    with client_at("127.0.0.2") as again:
        assert again.get(live.sparql, params={"query": "ASK {}"}).status_code == 200


def test_the_rest_api_refuses_with_json(live_factory: Callable[..., Live]) -> None:
    live = live_factory(api_settings(query_timeout=2.0, client_queries=1, client_queue=0))
    gate = live.app.state.admission
    busy = Sender("127.0.0.4", live.sparql)
    busy.send(1, {"query": SLOW_QUERY})
    assert wait_for(lambda: gate.per_client.get("127.0.0.4") == 1, 5)
    with client_at("127.0.0.4") as same:
        r = same.get(live.url + "/api/queries/projects", params={"country": "MMR"})
    assert r.status_code == 429
    assert r.headers["retry-after"] == "1"
    assert "JAIF_CLIENT_QUERIES" in r.json()["detail"]
    with client_at("127.0.0.5") as other:
        r = other.get(live.url + "/api/queries/projects", params={"country": "MMR"})
    assert r.status_code == 200, r.text
    busy.join()


def test_the_wait_queue_is_bounded_with_503(live_factory: Callable[..., Live]) -> None:
    live = live_factory(
        api_settings(query_timeout=3.0, query_workers=1, query_workers_max=1, queue_limit=1)
    )
    gate = live.app.state.admission
    running = Sender("127.0.0.2", live.sparql)
    running.send(1, {"query": SLOW_QUERY})
    assert wait_for(lambda: gate.in_flight == 1, 5)
    waiting = Sender("127.0.0.3", live.sparql)
    waiting.send(1, {"query": SLOW_QUERY})
    assert wait_for(lambda: gate.in_flight == 2, 5)
    assert gate.waiting == 1

    started = time.monotonic()
    with client_at("127.0.0.4") as third:
        r = third.get(live.sparql, params={"query": "ASK {}"})
    assert r.status_code == 503
    assert time.monotonic() - started < 1.0
    assert r.headers["retry-after"] == "1"
    assert "JAIF_QUEUE_LIMIT" in r.text

    running.join()
    waiting.join()
    assert gate.in_flight == 0
    with client_at("127.0.0.4") as third:
        assert third.get(live.sparql, params={"query": "ASK {}"}).status_code == 200


def test_healthz_is_degraded_while_every_worker_is_busy(live_factory: Callable[..., Live]) -> None:
    live = live_factory(api_settings(query_timeout=2.0, query_workers=1, query_workers_max=1))
    assert httpx.get(live.url + "/healthz", timeout=5).json() == {"status": "ok"}
    busy = Sender("127.0.0.2", live.sparql)
    busy.send(1, {"query": SLOW_QUERY})

    def degraded() -> bool:
        return httpx.get(live.url + "/healthz", timeout=5).status_code == 503

    assert wait_for(degraded, 5)
    r = httpx.get(live.url + "/healthz", timeout=5)
    assert r.json()["status"] == "degraded"
    assert "busy" in r.json()["reason"]
    live_r = httpx.get(live.url + "/livez", timeout=5)
    assert (live_r.status_code, live_r.json()) == (200, {"status": "ok"})
    busy.join()
    assert wait_for(lambda: httpx.get(live.url + "/healthz", timeout=5).status_code == 200, 5)


def test_counts_are_released_after_errors(live: Live) -> None:
    """Refused queries (400) end their request: a client can send any number in turn."""
    gate = live.app.state.admission
    with client_at("127.0.0.6") as client:
        for _ in range(3 * gate.client_queries):
            assert client.get(live.sparql, params={"query": "NOT SPARQL"}).status_code == 400
        assert client.get(live.sparql, params={"query": "ASK {}"}).status_code == 200
    assert "127.0.0.6" not in gate.per_client


def test_counts_are_released_when_a_client_goes_away(live_factory: Callable[..., Live]) -> None:
    """A client that hangs up keeps its count while its query still runs, then loses it."""
    live = live_factory(api_settings(query_timeout=2.0))
    gate = live.app.state.admission
    gone = Sender("127.0.0.7", live.sparql)
    gone.send(1, {"query": SLOW_QUERY}, timeout=0.5)
    gone.join()
    assert len(gone.errors) == 1  # the client gave up after 0.5 s
    assert gate.per_client.get("127.0.0.7") == 1  # its query still holds a worker
    assert wait_for(lambda: "127.0.0.7" not in gate.per_client, 5)


def test_x_forwarded_for_does_not_make_one_client_many(
    live_factory: Callable[..., Live],
) -> None:
    """Without JAIF_TRUSTED_PROXIES, a client cannot pose as many by naming other addresses."""
    live = live_factory(api_settings(query_timeout=3.0, client_queries=2, client_queue=0))
    flood = Sender("127.0.0.1", live.sparql)  # uvicorn's default trusted proxy address
    for i in range(6):
        flood.send(1, {"query": SLOW_QUERY}, headers={"x-forwarded-for": f"10.9.9.{i}"})
    assert wait_for(lambda: len(flood.outcomes) >= 4, 5), flood.outcomes
    assert [status for status, *_ in list(flood.outcomes)[:4]] == [429] * 4


def test_a_client_over_its_slots_waits_its_turn_rather_than_being_refused(
    live_factory: Callable[..., Live],
) -> None:
    """Many cheap queries at once from one address (a load generator, a NAT) are all answered:
    beyond JAIF_CLIENT_QUERIES they wait for the client's own slots; past JAIF_CLIENT_QUEUE
    they get 429."""
    live = live_factory(api_settings(client_queries=2, client_queue=8))
    many = Sender("127.0.0.8", live.sparql)
    many.send(10, {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 50"})
    many.join()
    assert many.errors == []
    assert sorted(status for status, *_ in many.outcomes) == [200] * 10
    gate = live.app.state.admission
    assert gate.per_client == {} and gate.queued("127.0.0.8") == 0

    flood = Sender("127.0.0.9", live.sparql)
    flood.send(2 + 8 + 3, {"query": SLOW_QUERY})  # 2 run, 8 wait, 3 are refused
    assert wait_for(lambda: len(flood.outcomes) >= 3, 5), flood.outcomes
    assert [status for status, *_ in list(flood.outcomes)[:3]] == [429] * 3
    assert gate.queued("127.0.0.9") == 8
    with client_at("127.0.0.10") as other:  # another client is not delayed by that line
        started = time.monotonic()
        assert other.get(live.sparql, params={"query": "ASK {}"}).status_code == 200
        assert time.monotonic() - started < 1.0
