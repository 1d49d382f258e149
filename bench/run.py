# ruff: noqa: RUF001 -- the table uses the multiplication sign and the en dash
"""The benchmark: one command (QUALITY.md, section Performance; issue 10).

    .venv/bin/python bench/run.py --complaints 100000        (or: make bench N=100000)

1. A PostgreSQL database of its own per size, ``kl_bench_<N>`` on the server of
   ``BENCH_DATABASE_URL`` (default: the server of ``DATABASE_URL``, else 127.0.0.1:5432):
   reused when it holds exactly N seeded cases, else created, migrated and seeded
   (``manage.py seed_bench``).
2. gunicorn with 2 sync workers on 127.0.0.1 and a free port, on production settings
   (``config.settings.base``, DEBUG off, persistent connections) through bench/wsgi.py, which
   adds the baseline page and a query count per response; Redis (``BENCH_REDIS_URL``, default
   db 9) for the cache, the sessions and the broker (no worker: queued mail stays queued).
3. A separate process (bench/load.py) drives it with 8 threads, signed in as a handler and as
   a manager: the baseline page, the worklist, case pages, the dashboard, the status page and
   the public form's submission.
4. The reminder sweep: its first run from the seeded state (no reminder ever sent: every due
   one is written, the one-off ones of every open case too), the first run of an ordinary day
   (yesterday's run done first, untimed: mostly the daily overdue reminders), a run after it
   (nothing new); and the annual report of the busiest complete year, timed.
5. A table, printed and written to bench/results/<date>-<N>.md with the machine, the versions
   and the targets of QUALITY.md next to each figure.

``--quick`` makes a few requests per page only (the smoke test in the suite).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VAR = BENCH / "var"
PYTHON = sys.executable
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"

# Targets at 1,000,000 complaints (QUALITY.md, section Performance).
TARGETS = {
    "worklist": {"p95_ms": 50, "rps_ratio": 0.25, "queries": 10},
    "case": {"p95_ms": 50, "queries": 15},
    "dashboard": {"p95_ms": 100},
    "public": {"rps": 150},
    "sweep": {"seconds": 1},
    "annual": {"seconds": 10},
}
LABELS = {
    "bare": "bare Django page (one primary-key query): the baseline",
    "worklist": "handler worklist (department, by deadline, 50 a page)",
    "case": "case page with full timeline (random open case)",
    "dashboard": "manager dashboard",
    "public": "public form submission (acknowledgement queued)",
    "status": "citizen status page",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Environment and database
# ---------------------------------------------------------------------------
def server_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    return url


def database_url(name: str) -> str:
    parts = urlsplit(server_url())
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def settings_variables() -> set[str]:
    """The variables config/settings/base.py reads: dropped from the inherited environment,
    so a developer's shell (or the test suite) does not change the bench's settings."""
    text = (ROOT / "config" / "settings" / "base.py").read_text(encoding="utf-8")
    return set(re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""", text))


def bench_env(db_name: str, redis_url: str) -> dict[str, str]:
    dropped = settings_variables() | {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        SECRET_KEY="bench-only-secret-key-not-for-production-0123456789",  # noqa: S106
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url(db_name),
        CONN_MAX_AGE="600",
        REDIS_URL=redis_url,
        EMAIL_URL="smtp://127.0.0.1:25",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        PUBLIC_SUBMIT_RATE="1000000/m",
        STATUS_LINK_RATE="1000000/m",
        MFA_REQUIRED="false",
        STATIC_ROOT=str(VAR / "static"),
        PRIVATE_MEDIA_ROOT=str(VAR / "private"),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def run(args: list[str], env: dict, *, capture: bool = False, timeout: float = 3600) -> str:
    result = subprocess.run(
        args,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE if capture else sys.stderr,
        stderr=sys.stderr,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(args)}")
    return result.stdout or ""


def job(env: dict, *arguments: str) -> dict:
    out = run([PYTHON, str(BENCH / "jobs.py"), *arguments], env, capture=True)
    return json.loads(out.strip().splitlines()[-1])


def admin_sql(sql: str) -> list:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def prepare_database(db_name: str, complaints: int, env: dict, tokens: Path) -> dict:
    """Reuse the database when it holds exactly ``complaints`` seeded cases and the tokens
    file is this database's (another checkout may have seeded it since); else create it
    afresh, migrate and seed. Returns the seed timings."""
    exists = admin_sql(f"SELECT 1 FROM pg_database WHERE datname = '{db_name}'")  # noqa: S608
    if exists:
        found = job(env, "state", str(tokens))
        if not found.get("migrated"):
            run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
            found = job(env, "state", str(tokens))
        if (
            found.get("bench_complaints") == complaints
            and not found.get("other_complaints")
            and found.get("tokens_matched")
        ):
            log(f"Reusing {db_name}: {complaints} bench complaints.")
            if found.get("submitted"):  # what earlier runs sent on the public form
                deleted = job(env, "forget_submissions")["deleted"]
                log(f"Deleted the {deleted} complaints earlier runs submitted.")
            return {"reused": True}
        log(f"{db_name} holds something else: dropping it.")
        admin_sql(f'DROP DATABASE "{db_name}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{db_name}"')
    started = time.perf_counter()
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    migrated = time.perf_counter() - started
    log(f"Seeding {complaints} complaints into {db_name} ...")
    started = time.perf_counter()
    run(
        [PYTHON, "manage.py", "seed_bench", "--complaints", str(complaints), "--force",
         "--tokens-file", str(tokens)],
        env,
    )  # fmt: skip
    return {"reused": False, "migrate_s": migrated, "seed_s": time.perf_counter() - started}


def collect_static(env: dict) -> None:
    """The manifest storage needs collected files (DEBUG off); redone when a source changed."""
    manifest = VAR / "static" / "staticfiles.json"
    sources = [ROOT / "static", ROOT / "node_modules"]
    newest = max(
        (p.stat().st_mtime for s in sources if s.exists() for p in s.rglob("*") if p.is_file()),
        default=0,
    )
    if manifest.exists() and manifest.stat().st_mtime > newest:
        return
    log("Collecting static files ...")
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)


# ---------------------------------------------------------------------------
# gunicorn
# ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, env: dict, port: int, bare_pk: int) -> None:
        self.env, self.port, self.bare_pk = env, port, bare_pk
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        gunicorn = Path(PYTHON).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "bench.wsgi:application", "--workers", "2", "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", "--chdir", str(ROOT), "--timeout", "120",
             "--log-level", "warning"],
            cwd=ROOT, env=self.env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=sys.stderr,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        url = f"http://127.0.0.1:{self.port}/__bench__/bare/?pk={self.bare_pk}"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def __exit__(self, *exc) -> None:
        self.stop()


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------
def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        memory = "unknown"
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory, "os": platform.platform()}


def fmt(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def verdict(checks: list[tuple[str, bool]]) -> str:
    if not checks:
        return ""
    failed = [text for text, ok in checks if not ok]
    return "pass" if not failed else "FAIL: " + ", ".join(failed)


def baseline(results: dict) -> dict:
    """The faster of the two measurements of the bare page (before the pages and after them):
    the ratios of the run are then the lower ones, never flattered by a slow moment of the
    baseline."""
    runs = [results.get(key, {}) for key in ("bare", "bare_again")]
    runs = [r for r in runs if r.get("rps")]
    return max(runs, key=lambda r: r["rps"]) if runs else {}


def page_rows(results: dict) -> list[list[str]]:
    bare = baseline(results)
    results = {**results, "bare": bare}
    bare_rps, bare_p95 = bare.get("rps"), bare.get("p95_ms")
    rows = []
    for key in ("bare", "worklist", "case", "dashboard", "public", "status"):
        r = results.get(key, {})
        if "skipped" in r:
            rows.append([LABELS[key], "skipped", "", "", "", "", "", "", r["skipped"]])
            continue
        target = TARGETS.get(key, {})
        rps, p95 = r.get("rps"), r.get("p95_ms")
        ratio = rps / bare_rps if rps and bare_rps else None
        checks, wanted = [], []
        if "p95_ms" in target:
            wanted.append(f"p95 ≤ {target['p95_ms']} ms")
            checks.append(
                (f"p95 > {target['p95_ms']} ms", p95 is not None and p95 <= target["p95_ms"])
            )
        if "rps_ratio" in target:
            wanted.append(f"≥ {target['rps_ratio']:.0%} of baseline req/s")
            checks.append(
                ("req/s below the ratio", ratio is not None and ratio >= target["rps_ratio"])
            )
        if "queries" in target:
            wanted.append(f"≤ {target['queries']} queries")
            q = r.get("queries_max")
            checks.append((f"{q} queries", q is not None and q <= target["queries"]))
        if "rps" in target:
            wanted.append(f"≥ {target['rps']} req/s")
            checks.append(("req/s too low", rps is not None and rps >= target["rps"]))
        if r.get("errors"):
            checks.append((f"{r['errors']} errors ({r.get('first_error')})", False))
        rows.append(
            [
                LABELS[key],
                fmt(rps, 1),
                fmt(ratio, 2) + "×" if ratio is not None else "–",
                fmt(r.get("p50_ms"), 1),
                fmt(p95, 1),
                fmt(p95 / bare_p95, 1) + "×" if p95 and bare_p95 else "–",
                fmt(r.get("queries_max")),
                "; ".join(wanted) or ("baseline" if key == "bare" else "—"),
                verdict(checks) if key != "bare" else "",
            ]
        )
    return rows


def job_rows(jobs: dict, info: dict) -> list[list[str]]:
    rows = []
    names = {
        "sweep": "reminder sweep, first run ever (from the seeded state: every due reminder)",
        "sweep_day": "reminder sweep, first run of an ordinary day (yesterday's run done)",
        "sweep_again": "reminder sweep, run again (nothing new)",
    }
    for key, name in names.items():
        sweep = jobs.get(key, {})
        seconds = sweep.get("seconds")
        written = sweep.get("written")
        # Writing mails costs per mail, not per case in the table: shown so that a first run
        # of a day with a big backlog can be told from a slow search.
        each = f" ({fmt(seconds / written * 1000, 2)} ms each)" if written and seconds else ""
        mails = f" in {sweep['mails']} mails" if written and sweep.get("mails") else ""
        rows.append(
            [
                f"{name}: wrote {written if written is not None else '–'} reminders{mails}{each}",
                fmt(seconds, 2) + " s" if seconds is not None else "–",
                f"≤ {TARGETS['sweep']['seconds']} s over the whole table",
                verdict(
                    [("too slow", seconds is not None and seconds <= TARGETS["sweep"]["seconds"])]
                ),
            ]
        )
    annual = jobs.get("annual", {})
    seconds = annual.get("seconds")
    label = (
        f"annual report {info.get('busiest_year')} "
        f"({info.get('busiest_year_count', 0):,} complaints, CSV)"
    )
    if seconds is None:
        rows.append([label, annual.get("note", "not available"), "≤ 10 s for 100,000", ""])
    else:
        rows.append(
            [
                label,
                fmt(seconds, 2) + " s",
                "≤ 10 s for a year of 100,000",
                verdict([("too slow", seconds <= TARGETS["annual"]["seconds"])]),
            ]
        )
    return rows


def table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def report(*, n: int, quick: bool, args, info: dict, results: dict, jobs: dict,
           prepared: dict, loads: tuple, started: float) -> str:  # fmt: skip
    m = machine()
    pages = table(
        ["page", "req/s", "× baseline req/s", "p50 ms", "p95 ms", "× baseline p95",
         "queries", "target (at 1,000,000)", "result"],
        page_rows(results),
    )  # fmt: skip
    timed = table(["job", "time", "target (at 1,000,000)", "result"], job_rows(jobs, info))
    baseline_note = " and ".join(
        f"{fmt(results[key]['rps'], 1)} req/s"
        for key in ("bare", "bare_again")
        if results.get(key, {}).get("rps")
    )
    mode = (
        f"quick: {args.requests} requests per page"
        if quick
        else f"{args.duration:.0f} s per page, {args.submissions} submissions"
    )
    seeded = (
        "reused"
        if prepared.get("reused")
        else f"seeded in {prepared.get('seed_s', 0):.0f} s "
        f"(migrate {prepared.get('migrate_s', 0):.0f} s)"
    )
    return f"""# Benchmark: {n:,} complaints ({datetime.now():%Y-%m-%d %H:%M})

Command: `{" ".join(["bench/run.py", *sys.argv[1:]])}` ({mode}, concurrency {args.concurrency}).
Database `{args.database}`: {info.get("complaints_total", 0):,} cases \
({info.get("open_total", 0):,} open), {seeded}.
gunicorn: 2 sync workers, `config.settings.base` (DEBUG off, CONN_MAX_AGE 600), Redis cache,
sessions and broker; load from a separate process.

Machine: {m["cpu"]}, {m["cores"]} cores, {m["memory"]} RAM; {m["os"]}.
Versions: Python {platform.python_version()}, Django {info.get("django")}, \
PostgreSQL {info.get("postgres")}.
Load average (1, 5, 15 min) before: {loads[0]}; after: {loads[1]} (a shared machine makes
every figure slower; the ratios to the baseline travel better).
Whole run: {time.perf_counter() - started:.0f} s.

{pages}

{timed}

The baseline was measured before the pages and again after them: {baseline_note}; the
faster is the baseline of the ratios (so they are the lower ones).

req/s: completed requests per second of wall time at concurrency {args.concurrency}; p50, p95:
latency seen by the client; queries: the most a request of that page made (counted by the
bench's WSGI module). The targets of QUALITY.md are for 1,000,000 complaints: at other sizes
they are indicative. The public submission is the last step of the form only (the steps
before it fill the draft and are not timed).
"""


# ---------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--complaints", type=int, required=True)
    parser.add_argument("--quick", action="store_true", help="a few requests per page")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per page")
    parser.add_argument("--requests", type=int, default=16, help="requests per page (--quick)")
    parser.add_argument("--submissions", type=int, default=300, help="public submissions")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database", help="default: kl_bench_<N>")
    parser.add_argument("--output", type=Path, default=BENCH / "results")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
    )
    args = parser.parse_args(argv)
    args.database = args.database or f"kl_bench_{args.complaints}"
    started = time.perf_counter()
    load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    env = bench_env(args.database, args.redis_url)
    VAR.mkdir(parents=True, exist_ok=True)
    tokens = VAR / f"{args.database}.json"
    prepared = prepare_database(args.database, args.complaints, env, tokens)
    collect_static(env)
    info = job(env, "info", str(tokens))
    seeded = json.loads(tokens.read_text(encoding="utf-8"))
    port = free_port()
    config = {
        "port": port,
        "concurrency": args.concurrency,
        "quick": args.quick,
        "requests": args.requests,
        "duration": args.duration,
        "submissions": args.submissions,
        "handler": seeded["handler"],
        "manager": seeded["manager"],
        "password": seeded["password"],
        "bare_pk": info["bare_pk"],
        "case_references": info["case_references"],
        "dashboard_url": info["dashboard_url"],
        "dashboard_note": "the URL reporting:dashboard does not resolve",
        "status_tokens": seeded["status_tokens"],
    }
    log(f"gunicorn on 127.0.0.1:{port}; driving it ...")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(config, handle)
        config_path = handle.name
    try:
        with Gunicorn(env, port, info["bare_pk"]):
            out = run([PYTHON, str(BENCH / "load.py"), config_path], env, capture=True)
        results = json.loads(out.strip().splitlines()[-1])
    finally:
        os.unlink(config_path)
        clear_queue(args.redis_url)
    log("Timing the reminder sweep and the annual report ...")
    with tempfile.TemporaryDirectory() as folder:
        jobs = job(env, "timed", str(info["busiest_year"]), f"{folder}/annual.csv")
    clear_queue(args.redis_url)
    load_after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    text = report(
        n=args.complaints, quick=args.quick, args=args, info=info, results=results,
        jobs=jobs, prepared=prepared, loads=(load_before, load_after), started=started,
    )  # fmt: skip
    print(text)
    args.output.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if args.quick else ""
    path = args.output / f"{datetime.now():%Y-%m-%d}-{args.complaints}{suffix}.md"
    path.write_text(text, encoding="utf-8")
    log(f"Written to {path}")
    return 0


def clear_queue(redis_url: str) -> None:
    """No worker consumes the bench's broker: drop the tasks it queued (the mail would go
    nowhere anyway)."""
    try:
        import redis

        redis.Redis.from_url(redis_url).delete("celery")
    except Exception as error:  # noqa: BLE001 -- only tidiness
        log(f"could not clear the queue in {redis_url}: {error!r}")


if __name__ == "__main__":
    sys.exit(main())
