"""Scale-out, as deployments/README.md sets it up: PostgreSQL, a Prefect server on it, a process
work pool, two workers, the campaign database on PostgreSQL; a 200-branch campaign's phase is
run from its deployment and its branch reports fan out in chunks across both workers."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import generate
from campaignflow.cli.prefect_server import prefect_server, stop
from campaignflow.spec.shipped import shipped_root

pytestmark = [pytest.mark.slow, pytest.mark.pg]

ROOT = shipped_root().parent
BRANCHES = 200
CHUNK = 25
WORKERS = ("worker-a", "worker-b")
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _prefect(args: list[str], env: dict[str, str], **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "prefect", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        **kw,
    )
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


def _campaign(tmp: Path) -> tuple[Path, dict]:
    """The synthetic prefecture at 200 branches, with per-branch reports switched on."""
    out = tmp / "prefecture"
    meta = generate.generate(out, scale=BRANCHES / generate.BASE["branches"])
    spec = out / "campaign.yaml"
    text_ = spec.read_text(encoding="utf-8")
    assert "reports:\n  formats: [md, docx]\n" in text_
    spec.write_text(
        text_.replace(
            "reports:\n  formats: [md, docx]\n",
            "reports:\n  formats: [md, docx]\n  branches: true\n",
        ),
        encoding="utf-8",
    )
    return spec, meta


def _wait(api, url: str, run_id: str, timeout: float, logs: list[Path]) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = api(url, f"/api/flow_runs/{run_id}")
        if run["state_type"] in TERMINAL:
            return run
        time.sleep(2)
    tails = "\n".join(f"== {p}\n{p.read_text(errors='replace')[-3000:]}" for p in logs)
    pytest.fail(f"flow run {run_id} not finished in {timeout:.0f} s\n{tails}")


def test_two_workers_share_a_200_branch_campaign(pg_server, prefect_api, tmp_path, monkeypatch):
    api = prefect_api
    spec, meta = _campaign(tmp_path)
    phase, as_of = meta["phase"], meta["as_of"]

    # PostgreSQL: one database for Prefect, one for the campaigns
    prefect_db = make_url(pg_server.create_database()).set(drivername="postgresql+asyncpg")
    campaign_db = pg_server.create_database()
    monkeypatch.setenv(
        "PREFECT_API_DATABASE_CONNECTION_URL", prefect_db.render_as_string(hide_password=False)
    )

    shared = tmp_path / "shared-home"  # the data folder every worker sees (NFS in production)
    inbox = shared / "inbox" / generate.CAMPAIGN_ID
    inbox.mkdir(parents=True)
    for path in (spec.parent / "inbox").glob("*.xlsx"):
        shutil.copy(path, inbox / path.name)

    with prefect_server(tmp_path / "server", ui=False) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env.update(
            {
                "PREFECT_API_URL": server.api_url,
                "PREFECT_HOME": str(tmp_path / "client"),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_CLI_PROMPT": "false",
                "CAMPAIGNFLOW_ROOT": str(ROOT),
                "CAMPAIGNFLOW_HOME": str(shared),
                "CAMPAIGNFLOW_DATABASE_URL": campaign_db,
                "MPLBACKEND": "Agg",
            }
        )
        # the server really stores its state in PostgreSQL
        with create_engine(
            make_url(pg_server.url).set(database=prefect_db.database)
        ).connect() as c:
            assert c.execute(text("select count(*) from alembic_version")).scalar_one() == 1

        _prefect(["work-pool", "create", "campaignflow", "--type", "process"], env)
        prefect_yaml = tmp_path / "prefect.yaml"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "campaignflow",
                "deployments",
                "-c",
                str(spec),
                "-o",
                str(prefect_yaml),
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        _prefect(["deploy", "--prefect-file", str(prefect_yaml), "--all"], env)
        names = {d["name"] for d in api(server.url, "/api/deployments/filter", {})}
        assert {"branch-report-chunk", f"{generate.CAMPAIGN_ID}-{phase}"} <= names

        workers, logs = [], []
        try:
            for name in WORKERS:
                log = tmp_path / f"{name}.log"
                logs.append(log)
                worker_env = {
                    **env,
                    "PREFECT_HOME": str(tmp_path / name),
                    "PREFECT_WORKER_QUERY_SECONDS": "1",
                }
                with open(log, "w") as out:
                    workers.append(
                        subprocess.Popen(
                            [
                                sys.executable,
                                "-m",
                                "prefect",
                                "worker",
                                "start",
                                "--pool",
                                "campaignflow",
                                "--type",
                                "process",
                                "--name",
                                name,
                                "--limit",
                                "2",
                            ],
                            env=worker_env,
                            cwd=tmp_path,
                            stdout=out,
                            stderr=subprocess.STDOUT,
                            start_new_session=True,
                        )
                    )
            deployment = api(
                server.url, f"/api/deployments/name/phase/{generate.CAMPAIGN_ID}-{phase}"
            )
            run = api(
                server.url,
                f"/api/deployments/{deployment['id']}/create_flow_run",
                {
                    "parameters": {
                        "as_of": as_of,
                        "branch_chunk_size": CHUNK,
                        "inbox_files_per_chunk": 1,
                    }
                },
            )
            finished = _wait(api, server.url, run["id"], 900, logs)
            chunks = api(
                server.url,
                "/api/flow_runs/filter",
                {"flows": {"name": {"any_": ["branch-report-chunk"]}}},
            )
            imports = api(
                server.url,
                "/api/flow_runs/filter",
                {"flows": {"name": {"any_": ["inbox-import-chunk"]}}},
            )
        finally:
            for process in workers:
                stop(process)
        assert finished["state_type"] == "COMPLETED", (
            finished["state"],
            [p.read_text(errors="replace")[-3000:] for p in logs],
        )

    # the inbox: problems, then meetings + ballots as two chunks at once, then the measures
    assert len(imports) == 2 and {r["state_type"] for r in imports} == {"COMPLETED"}
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == sorted(
        p.name for p in (spec.parent / "inbox").glob("*.xlsx")
    )
    assert not (inbox / "rejected").exists()

    # both workers wrote branch reports; every chunk completed
    assert len(chunks) == BRANCHES // CHUNK
    assert {c["state_type"] for c in chunks} == {"COMPLETED"}
    by_worker = {c["labels"].get("prefect.worker.name") for c in chunks}
    assert by_worker == set(WORKERS), by_worker
    assert all(c["parent_task_run_id"] for c in chunks)  # each is a subflow of the phase run

    # every branch report exists exactly once: on disk and in the campaign database
    branches = [f"b{i:04d}" for i in range(1, BRANCHES + 1)]
    folder = shared / "reports" / generate.CAMPAIGN_ID / "branches" / f"{phase}-{as_of}"
    for fmt in ("md", "docx"):
        assert sorted(p.stem for p in folder.glob(f"*.{fmt}")) == branches
    assert not list(folder.glob(".*"))  # no half-written file left
    with create_engine(campaign_db).connect() as c:
        rows = c.execute(
            text(
                "select format, count(*), count(distinct scope) from report"
                " where scope like :prefix and as_of = :as_of group by format order by format"
            ),
            {"prefix": f"branch:{phase}:%", "as_of": dt.date.fromisoformat(as_of)},
        ).all()
    assert [tuple(r) for r in rows] == [("docx", BRANCHES, BRANCHES), ("md", BRANCHES, BRANCHES)]
    md = (folder / "b0007.md").read_text(encoding="utf-8")
    assert "截至2023年11月30日，" in md and "## 二、存在问题和不足" in md
    assert md.rstrip().endswith("第7党支部\n\n2023年11月30日")  # the 落款
