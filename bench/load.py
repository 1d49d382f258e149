"""The load driver: a separate process that bench/run.py starts against gunicorn.

    python bench/load.py CONFIG.json  ->  one JSON object on stdout

Standard library only (http.client): ``concurrency`` threads, each opening a connection per
request (gunicorn's sync workers close it after every response, as behind a proxy), with
cookie jars of their own. Each page is measured in turn: a short warm-up, then either a
duration or (``--quick``) a number of requests; every response must have the expected status.
Per page: requests, errors, req/s (completed requests over wall time), p50, p95, and the
queries per request that bench/wsgi.py reports in ``X-Bench-Queries``.

The public form is measured on its last step, the one that registers the complaint (with its
status link and the acknowledgement queued in the outbox): the drafts are first filled in
(steps 1 to 3, and the check page that hands out the one-time key), then all of them are sent
concurrently and only the sending is timed.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_INPUT = re.compile(r'name="key" value="([0-9a-f-]{36})"')


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    seconds: float


class Client:
    """One browser: cookies, and a new connection per request."""

    def __init__(self, host: str, port: int, cookies: dict[str, str] | None = None) -> None:
        self.host, self.port = host, port
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        headers = {"Host": f"{self.host}:{self.port}", "Accept-Language": "nl"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            data = raw.read()
            seconds = time.perf_counter() - started
            for name, value in raw.getheaders():
                if name.lower() == "set-cookie":
                    cookie = SimpleCookie()
                    cookie.load(value)
                    for key, morsel in cookie.items():
                        self.cookies[key] = morsel.value
            result = Response(
                raw.status,
                {k.lower(): v for k, v in raw.getheaders()},
                data.decode("utf-8", "replace"),
                seconds,
            )
        finally:
            connection.close()
        return result

    def csrf(self, html: str) -> str:
        match = CSRF_INPUT.search(html)
        return match.group(1) if match else self.cookies.get("csrftoken", "")


def log_in(host: str, port: int, email: str, password: str) -> dict[str, str]:
    client = Client(host, port)
    page = client.request("GET", "/accounts/login/")
    answer = client.request(
        "POST",
        "/accounts/login/",
        {"username": email, "password": password, "csrfmiddlewaretoken": client.csrf(page.body)},
    )
    if answer.status != 302 or "sessionid" not in client.cookies:
        raise SystemExit(f"could not log in as {email}: HTTP {answer.status}")
    return client.cookies


@dataclass
class Result:
    name: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    first_error: str = ""

    def summary(self) -> dict:
        lat = sorted(self.latencies)

        def pct(p: float) -> float | None:
            if not lat:
                return None
            return lat[min(len(lat) - 1, max(0, round(p * len(lat) + 0.5) - 1))] * 1000

        return {
            "name": self.name,
            "requests": self.requests,
            "errors": self.errors,
            "rps": (self.requests / self.seconds) if self.seconds else None,
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "queries_max": max(self.queries) if self.queries else None,
            "queries_median": statistics.median(self.queries) if self.queries else None,
            "first_error": self.first_error,
        }


def run_load(name: str, make_request, *, concurrency: int, count: int | None,
             duration: float | None, warmup: int) -> Result:  # fmt: skip
    """``make_request(worker_index, n) -> (Response, ok)`` from ``concurrency`` threads,
    for ``duration`` seconds or until ``count`` requests were made."""
    for n in range(warmup):
        make_request(n % concurrency, n)
    result = Result(name)
    lock = threading.Lock()
    issued = 0
    deadline = None

    def worker(index: int) -> None:
        nonlocal issued
        while True:
            with lock:
                if count is not None and issued >= count:
                    return
                if deadline is not None and time.perf_counter() >= deadline:
                    return
                issued += 1
                n = issued
            try:
                response, ok = make_request(index, n)
            except Exception as error:  # noqa: BLE001 -- counted and reported
                with lock:
                    result.errors += 1
                    result.first_error = result.first_error or repr(error)
                continue
            with lock:
                result.requests += 1
                result.latencies.append(response.seconds)
                if "x-bench-queries" in response.headers:
                    result.queries.append(int(response.headers["x-bench-queries"]))
                if not ok:
                    result.errors += 1
                    result.first_error = result.first_error or f"HTTP {response.status}"

    started = time.perf_counter()
    if duration is not None:
        deadline = started + duration
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def get_page(host, port, cookies, paths, expect=200):
    rng = random.Random(7)
    lock = threading.Lock()

    def make_request(index: int, n: int):
        with lock:
            path = rng.choice(paths)
        response = Client(host, port, cookies).request("GET", path)
        return response, response.status == expect

    return make_request


def draft_complaint(host: str, port: int, n: int) -> Client:
    """Steps 1 to 3 of the public form and the check page: a draft ready to send."""
    client = Client(host, port)
    page = client.request("GET", "/complaint/1/")
    token = client.csrf(page.body)
    steps = [
        {
            "complainant_name": f"Bench Burger {n}",
            "complainant_email": f"bench{n}@example.nl",
            "complainant_phone": "06 12345678",
            "preferred_contact": "email",
            "complainant_address": "Dorpsstraat 1, 1234 AB Voorbeeld",
            "complainant_needs": "",
        },
        {
            "conduct_description": "Ik ben drie keer niet teruggebeld over mijn aanvraag.",
            "conduct_date": "",
            "conduct_department": "",
            "conduct_place": "aan de telefoon",
            "persons": "",
        },
        {"desired_outcome": "Dat iemand mij terugbelt."},
    ]
    for number, answers in enumerate(steps, start=1):
        answer = client.request(
            "POST", f"/complaint/{number}/", {**answers, "csrfmiddlewaretoken": token}
        )
        if answer.status != 302:
            raise RuntimeError(f"public form step {number}: HTTP {answer.status}")
    check = client.request("GET", "/complaint/4/")
    key = KEY_INPUT.search(check.body)
    if check.status != 200 or not key:
        raise RuntimeError(f"public form check page: HTTP {check.status}, no key")
    client.key = key.group(1)
    client.token = client.csrf(check.body)
    return client


def measure_submissions(host, port, *, concurrency: int, count: int) -> Result:
    drafts: list[Client] = []
    lock = threading.Lock()
    failures: list[str] = []

    def prepare(numbers):
        for n in numbers:
            try:
                client = draft_complaint(host, port, n)
            except Exception as error:  # noqa: BLE001 -- reported
                failures.append(repr(error))
                continue
            with lock:
                drafts.append(client)

    stamp = int(time.time())
    numbers = [stamp * 10000 + n for n in range(count)]
    threads = [
        threading.Thread(target=prepare, args=(numbers[i::concurrency],))
        for i in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue = list(drafts)

    def send(index: int, n: int):
        with lock:
            client = queue.pop()
        response = client.request(
            "POST",
            "/complaint/4/",
            {"key": client.key, "website": "", "csrfmiddlewaretoken": client.token},
        )
        ok = response.status == 302 and "/complaint/sent/" in response.headers.get("location", "")
        return response, ok

    result = run_load(
        "public submission", send, concurrency=concurrency, count=len(drafts), duration=None,
        warmup=0,
    )  # fmt: skip
    result.errors += len(failures)
    if failures and not result.first_error:
        result.first_error = failures[0]
    return result


def main(config_path: str) -> None:
    with open(config_path, encoding="utf-8") as handle:
        config = json.load(handle)
    host, port = "127.0.0.1", config["port"]
    concurrency = config["concurrency"]
    quick = config["quick"]
    count = config["requests"] if quick else None
    duration = None if quick else config["duration"]
    warmup = 2 if quick else 4 * concurrency
    handler = log_in(host, port, config["handler"], config["password"])
    manager = log_in(host, port, config["manager"], config["password"])
    pages = [
        ("bare", None, [f"/__bench__/bare/?pk={config['bare_pk']}"]),
        ("worklist", handler, ["/staff/complaints/?scope=department"]),
        ("case", handler, [f"/staff/complaints/{ref}/" for ref in config["case_references"]]),
        ("dashboard", manager, [config["dashboard_url"]] if config["dashboard_url"] else []),
        ("status", None, [f"/status/{token}/" for token in config["status_tokens"]]),
    ]
    results = {}
    for name, cookies, paths in pages:
        if not paths:
            results[name] = {"name": name, "skipped": config.get(f"{name}_note") or "no pages"}
            continue
        make_request = get_page(host, port, cookies, paths)
        result = run_load(
            name, make_request, concurrency=concurrency, count=count, duration=duration,
            warmup=warmup,
        )  # fmt: skip
        results[name] = result.summary()
        print(f"  {name}: {results[name]}", file=sys.stderr)
    # The baseline again, at the end: the machine's speed drifts (shared cores), and one
    # measurement at the start made every ratio of the run as lucky or unlucky as that one.
    bare_paths = pages[0][2]
    again = run_load(
        "bare_again", get_page(host, port, None, bare_paths), concurrency=concurrency,
        count=count, duration=duration, warmup=warmup,
    )  # fmt: skip
    results["bare_again"] = again.summary()
    print(f"  bare_again: {results['bare_again']}", file=sys.stderr)
    submissions = config["requests"] if quick else config["submissions"]
    results["public"] = measure_submissions(
        host, port, concurrency=concurrency, count=submissions
    ).summary()
    print(f"  public: {results['public']}", file=sys.stderr)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
