"""Benchmark 4: the web forms over loopback — form posts and ballot spends against the real
`campaignflow web` process (uvicorn, SQLite in a fresh data folder), 8 clients at a time.

Floor, measured in the same run: the same number of requests to /healthz (HTTP, uvicorn and
Starlette, no database). Each post is a unit's whole filing of 问题清单 (its previous row is
withdrawn, a new one inserted, audited); each spend a whole ballot paper (8 subjects).

    uv run python -m bench.bench_web [--posts 2000] [--spends 2000]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .common import ROOT, emit, machine

SPEC = ROOT / "campaign_specs" / "tangping-review-2023" / "campaign.yaml"
CLIENTS = 8
TARGET_P95_MS = 250.0  # a phone on a slow network should not wait on the server


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _timed(pool, fn, items) -> dict:
    started = time.perf_counter()
    results = list(pool.map(fn, items))
    wall = time.perf_counter() - started
    latencies = sorted(ms for ms, _ in results)
    statuses = {s for _, s in results}
    return {
        "n": len(results),
        "wall_s": round(wall, 2),
        "per_s": round(len(results) / wall, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "statuses": sorted(statuses),
    }


def _hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(posts: int, spends: int) -> dict:
    import httpx

    from campaignflow.db import open_database
    from campaignflow.settings import sqlite_url
    from campaignflow.spec import load
    from campaignflow.sync import sync_campaign
    from campaignflow.web import ballots, links
    from campaignflow.web.secret import web_secret

    home = Path(tempfile.mkdtemp(prefix="bench-web-"))
    loaded = load(SPEC)
    engine = open_database(sqlite_url(home / "campaignflow.db"))
    sync_campaign(engine=engine, loaded=loaded)
    secret = web_secret(home)
    last_day = links.expiry(loaded, "issues")
    codes = ballots.issue_codes(engine=engine, loaded=loaded, secret=secret, form_id="ballots",
                                round_key="bench", group="一般干部", count=spends)  # fmt: skip
    units = [u.id for u in loaded.units]
    tokens = {
        u: links.sign(secret, links.Link(loaded.spec.campaign.id, "issues", u, 0, last_day))
        for u in units
    }
    port = _port()
    env = os.environ | {"CAMPAIGNFLOW_HOME": str(home), "PREFECT_API_URL": "http://127.0.0.1:9/api"}
    env.pop("CAMPAIGNFLOW_DATABASE_URL", None)
    env.pop("CAMPAIGNFLOW_WEB_SECRET", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "campaignflow", "web", str(SPEC), "--port", str(port),
         "--today", last_day.isoformat()],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        clients = [httpx.Client(base_url=base, timeout=60) for _ in range(CLIENTS)]
        csrf = []
        for c in clients:  # one page per client gives its cookie and CSRF token
            page = c.get(f"/f/{tokens[units[0]]}")
            csrf.append(re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)[1])
        subjects = ballots.subjects(loaded)

        def health(n: int):
            t = time.perf_counter()
            r = clients[n % CLIENTS].get("/healthz")
            return (time.perf_counter() - t) * 1000, r.status_code

        def post(n: int):
            unit = units[n % len(units)]
            data = {"csrf": csrf[n % CLIENTS], "rows": "1", "action": "submit",
                    "r0.code": f"W-{unit}-{n}", "r0.description": f"第{n}条：工作作风方面的问题",
                    "r0.category": "不愿担当", "r0.unit": unit}  # fmt: skip
            t = time.perf_counter()
            r = clients[n % CLIENTS].post(f"/f/{tokens[unit]}", data=data)
            return (time.perf_counter() - t) * 1000, r.status_code

        def spend(n: int):
            data = {"csrf": csrf[n % CLIENTS], "code": codes[n], "action": "cast"}
            data.update({f"g.{p.id}": "称职" for p in subjects})
            t = time.perf_counter()
            r = clients[n % CLIENTS].post(f"/b/{loaded.spec.campaign.id}/ballots", data=data)
            return (time.perf_counter() - t) * 1000, r.status_code

        with ThreadPoolExecutor(CLIENTS) as pool:
            floor = _timed(pool, health, range(posts))
            posted = _timed(pool, post, range(posts))
            spent = _timed(pool, spend, range(spends))
        server_rss = _hwm_mb(server.pid)
        turnout = ballots.turnout(engine, loaded, "ballots", "bench")
    finally:
        server.terminate()
        server.wait(30)
        engine.dispose()
    return {
        "clients": CLIENTS,
        "floor": floor,
        "posts": posted,
        "spends": spent,
        "spent": turnout.get("一般干部", (0, 0))[0],
        "server_rss_mb": round(server_rss, 1),
        "post_ratio": round(posted["p95_ms"] / floor["p95_ms"], 1),
        "spend_ratio": round(spent["p95_ms"] / floor["p95_ms"], 1),
    }


def report(r: dict) -> str:
    f, p, s = r["floor"], r["posts"], r["spends"]
    return "\n".join([
        f"web, {r['clients']} clients over loopback; server peak RSS {r['server_rss_mb']:.0f} MB",
        f"  floor /healthz: {f['per_s']:.0f}/s, p95 {f['p95_ms']:.1f} ms",
        f"  form posts:   {p['n']:,} in {p['wall_s']:.1f} s = {p['per_s']:.0f}/s, p50 {p['p50_ms']:.0f} ms, "
        f"p95 {p['p95_ms']:.0f} ms ({r['post_ratio']:.1f}× floor p95), statuses {p['statuses']}",
        f"  ballot spends: {s['n']:,} in {s['wall_s']:.1f} s = {s['per_s']:.0f}/s, p50 {s['p50_ms']:.0f} ms, "
        f"p95 {s['p95_ms']:.0f} ms ({r['spend_ratio']:.1f}× floor p95), {r['spent']:,} codes spent",
        f"  target: p95 ≤ {TARGET_P95_MS:.0f} ms — "
        + ("met" if max(p["p95_ms"], s["p95_ms"]) <= TARGET_P95_MS else "MISSED"),
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=2000)
    ap.add_argument("--spends", type=int, default=2000)
    ap.add_argument("--scale", type=float, help="ignored (the web bench has its own counts)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result = run(args.posts, args.spends)
    if args.json:
        emit(result)
    else:
        print(f"machine: {machine()}")
        print(report(result))


if __name__ == "__main__":
    main()
