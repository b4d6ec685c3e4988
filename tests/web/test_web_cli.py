"""The commands as an officer runs them: `campaignflow qr`, `ballot-codes` (codes only on the
printed slips), `web` serving with the Prefect server down, `link-revoke`, `ballot-turnout`,
`ballot-close` — real processes on one data folder."""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from web_support import SPECS, csrf_of

from campaignflow.spec import load
from campaignflow.web import links
from campaignflow.web.ballots import subjects
from campaignflow.web.secret import web_secret
from campaignflow.web.sheets import slots

SPEC = SPECS / "tangping-review-2023" / "campaign.yaml"
CLI = [sys.executable, "-m", "campaignflow"]


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        message = f"{name} missing: apt-get install poppler-utils"
        pytest.fail(message) if os.environ.get("CI") == "true" else pytest.skip(message)
    return found


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(env, *args: str) -> str:
    done = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def test_an_officer_prints_codes_serves_the_forms_without_prefect_and_closes_the_round(tmp_path):
    pdftotext, pdfinfo = _tool("pdftotext"), _tool("pdfinfo")
    port = _port()
    env = os.environ | {
        "CAMPAIGNFLOW_HOME": str(tmp_path / "home"),
        "CAMPAIGNFLOW_WEB_URL": f"http://127.0.0.1:{port}",
        "PREFECT_API_URL": "http://127.0.0.1:9/api",  # nothing listens there
    }
    env.pop("CAMPAIGNFLOW_DATABASE_URL", None)
    env.pop("CAMPAIGNFLOW_WEB_SECRET", None)
    said = _run(env, "ballot-codes", str(SPEC), "2023年度", "--group", "班子成员", "-n", "4",
                "-o", str(tmp_path / "测评码.pdf"))  # fmt: skip
    assert "已发放 4 个测评码" in said
    slips = subprocess.run(
        [pdftotext, tmp_path / "测评码.pdf", "-"], capture_output=True, text=True
    ).stdout
    codes = re.findall(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b", slips)
    assert len(set(codes)) == 4
    loaded = load(SPEC)
    last_day = links.expiry(loaded, "issues")
    said = _run(
        env,
        "qr",
        str(SPEC),
        "-o",
        str(tmp_path / "二维码.pdf"),
        "--links",
        str(tmp_path / "链接.csv"),
    )
    with (tmp_path / "链接.csv").open(encoding="utf-8-sig", newline="") as f:
        listed = {(r["单位"], r["表单"]): r["链接"] for r in csv.DictReader(f)}
    pages = int(re.search(r"(\d+) 页", said)[1])
    info = subprocess.run([pdfinfo, tmp_path / "二维码.pdf"], capture_output=True, text=True).stdout
    assert f"Pages:          {pages}" in info or re.search(rf"Pages:\s+{pages}\b", info)

    _first_code_is(tmp_path, loaded, web_secret(tmp_path / "home"), env["CAMPAIGNFLOW_WEB_URL"])
    server = subprocess.Popen(
        [*CLI, "web", str(SPEC), "--port", str(port), "--today", last_day.isoformat()],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, "campaignflow web did not start"
            time.sleep(0.2)
        token = listed["局机关党支部", "问题清单"].rsplit("/", 1)[1]  # from the officer's list
        with httpx.Client(base_url=base, timeout=30) as client:
            page = client.get(f"/f/{token}")
            assert page.status_code == 200, page.text
            reply = client.post(f"/f/{token}", data={
                "csrf": csrf_of(page.text), "rows": "1", "action": "submit", "r0.code": "TP-W01",
                "r0.description": "个别干部遇事推诿", "r0.category": "不愿担当", "r0.unit": "jiguan",
            })  # fmt: skip
            assert reply.status_code == 200 and "回执号" in reply.text, reply.text[-1500:]
            paper = {f"g.{p.id}": "称职" for p in subjects(loaded)}
            slip = client.get(f"/b/{loaded.spec.campaign.id}/ballots/{codes[0]}")
            cast = client.post(f"/b/{loaded.spec.campaign.id}/ballots",
                               data={"csrf": csrf_of(slip.text), "code": codes[0], "action": "cast", **paper})  # fmt: skip
            assert "投票成功" in cast.text
        assert "已停用" in _run(
            env, "link-revoke", str(SPEC), "--form", "issues", "--unit", "局机关党支部"
        )
        assert httpx.get(f"{base}/f/{token}").status_code == 403
        assert "班子成员：已投 1 / 发放 4" in _run(env, "ballot-turnout", str(SPEC), "2023年度")
        closed = _run(env, "ballot-close", str(SPEC), "2023年度")
        assert "1 张网上测评票已计入 测评表" in closed
        assert (
            httpx.get(f"{base}/b/{loaded.spec.campaign.id}/ballots/{codes[1]}").status_code == 410
        )
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    assert "网页填报已启动" in out
    for secret_text in (token, *codes):
        assert secret_text not in out + err
    assert "Traceback" not in err


def _first_code_is(tmp_path, loaded, secret: bytes, base: str) -> None:
    """The first QR code of the sheets, read back from the printed page (pdftoppm, 300 dpi),
    is the first unit's signed link to its first form, module for module."""
    import segno

    pdftoppm = _tool("pdftoppm")
    forms = [f for f, spec in loaded.spec.forms.items() if spec.kind not in ("ballot", "feedback")]
    unit = next(
        u.id for u in loaded.units if any(u.id in links.units_for(loaded, f) for f in forms)
    )
    form = next(f for f in forms if unit in links.units_for(loaded, f))
    link = links.Link(loaded.spec.campaign.id, form, unit, 0, links.expiry(loaded, form))
    expected = list(segno.make(f"{base}/f/{links.sign(secret, link)}", error="m", micro=False)
                    .matrix_iter(border=2))  # fmt: skip
    subprocess.run([pdftoppm, "-r", "300", "-gray", "-f", "1", "-l", "1", tmp_path / "二维码.pdf",
                    tmp_path / "page"], check=True)  # fmt: skip
    image = next(tmp_path.glob("page*.pgm")).read_bytes()
    magic, width, height, _, pixels = image.split(maxsplit=4)
    assert magic == b"P5"
    width, height = int(width), int(height)
    dots = 300 / 25.4
    blocks = sum(unit in links.units_for(loaded, f) for f in forms)
    x, y, side = slots(min(blocks, 6))[0]
    module = side / len(expected)
    read = [
        [pixels[int((y + (r + 0.5) * module) * dots) * width + int((x + (c + 0.5) * module) * dots)] < 128
         for c in range(len(expected))]
        for r in range(len(expected))
    ]  # fmt: skip
    assert read == [[bool(v) for v in row] for row in expected]
