"""A phone in a real browser (Debian's chromium, headless, 390×844): a unit opens its link,
fills a form and sees its receipt; a rater opens a slip's QR link and votes. Screenshots go to
$CAMPAIGNFLOW_SCREENSHOTS when set (to look at), else the test's folder."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from browser import browser_page
from web_support import SECRET

from campaignflow.web import ballots
from campaignflow.web.fields import web_fields

PHONE = {
    "width": 390,
    "height": 844,
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CAMPAIGNFLOW_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_unit_fills_its_form_on_a_phone_and_sees_its_receipt(served, tmp_path, backend):
    app = served("party-building-2023", dt.date(2023, 10, 20))
    unit = next(u.id for u in app.loaded.units if u.parent is None)
    shots = _shots(tmp_path)
    kind = next(f for f in web_fields(app.loaded, "meetings", unit) if f.id == "type").options[0][0]
    with browser_page(**PHONE) as page:
        page.goto(f"{app.url}/f/{app.link('meetings', unit)}")
        assert page.locator("header h1").inner_text() == app.loaded.spec.forms["meetings"].title
        page.fill("input[name='r0.date']", "2023-10-09")
        page.select_option("select[name='r0.unit']", unit)
        page.select_option("select[name='r0.type']", kind)
        page.fill("input[name='r0.title']", "学习贯彻习近平新时代中国特色社会主义思想主题教育")
        page.fill("input[name='r0.attendees']", "十二")  # wrong: said next to the field
        page.click("button[value='submit']")
        assert "应为整数，而不是“十二”" in page.locator(".bad .err").inner_text()
        page.screenshot(path=str(shots / f"phone-form-error-{backend}.png"), full_page=True)
        page.fill("input[name='r0.attendees']", "12")
        page.click("button[value='submit']")
        receipt = page.locator(".receipt").inner_text()
        assert receipt.startswith("网填-")
        assert "新增 1" in page.locator("main").inner_text()
        page.screenshot(path=str(shots / f"phone-receipt-{backend}.png"), full_page=True)


def test_a_rater_votes_from_a_slip_on_a_phone(served, tmp_path, backend):
    app = served("tangping-review-2023", dt.date(2023, 11, 1))
    (code,) = ballots.issue_codes(engine=app.engine, loaded=app.loaded, secret=SECRET,
                                  form_id="ballots", round_key="2023年度", group="中层干部", count=1)  # fmt: skip
    people = ballots.subjects(app.loaded)
    shots = _shots(tmp_path)
    with browser_page(**PHONE) as page:
        page.goto(f"{app.url}/b/{app.loaded.spec.campaign.id}/ballots/{code}")
        for person in people:
            page.check(f"input[name='g.{person.id}'][value='称职']")
        page.locator("details").first.click()
        page.screenshot(path=str(shots / f"phone-ballot-{backend}.png"), full_page=True)
        page.click("button[value='cast']")
        assert "投票成功" in page.locator(".banner").inner_text()
    assert ballots.turnout(app.engine, app.loaded, "ballots", "2023年度") == {"中层干部": (1, 1)}
