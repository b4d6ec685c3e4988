"""The inbox in waves: what may be imported at the same time, and chunks of named files."""

from __future__ import annotations

import shutil

import campaignflow.db
import campaignflow.spec
import campaignflow.sync
from campaignflow.collect.inbox import collect_files, import_waves, inbox_folder, pending_files
from campaignflow.spec.shipped import shipped_root

SPEC = shipped_root() / "bapo-bali-2023" / "campaign.yaml"


def _inbox(tmp_path):
    loaded = campaignflow.spec.load(SPEC)
    home = tmp_path / "home"
    folder = inbox_folder(home, loaded)
    folder.mkdir(parents=True)
    for path in (SPEC.parent / "data").glob("*.csv"):
        shutil.copy(path, folder / path.name)
    return loaded, home, folder


def test_waves_put_problems_before_their_measures_and_sheets_last(tmp_path):
    loaded, home, _ = _inbox(tmp_path)
    waves = import_waves(pending_files(home, loaded), loaded)
    assert waves == [
        ["problems.csv"],
        ["blueprints.csv", "seminars.csv", "studies.csv"],
        ["fixes.csv"],
        ["progress.csv"],
        ["signoff.csv"],
    ]


def test_chunks_of_a_wave_import_their_own_files_and_a_repeat_skips_them(tmp_path):
    loaded, home, folder = _inbox(tmp_path)
    engine = campaignflow.db.open_database(f"sqlite:///{tmp_path}/c.db")
    campaignflow.sync.sync_campaign(engine=engine, loaded=loaded)
    first = collect_files(engine=engine, loaded=loaded, home=home, names=["problems.csv"])
    assert [(f.file, f.status) for f in first.files] == [("problems.csv", "已导入")]
    a = collect_files(engine=engine, loaded=loaded, home=home, names=["seminars.csv"])
    b = collect_files(
        engine=engine, loaded=loaded, home=home, names=["studies.csv", "blueprints.csv"]
    )
    assert [f.file for f in a.files] == ["seminars.csv"]
    assert [f.file for f in b.files] == ["studies.csv", "blueprints.csv"]
    assert sorted(p.name for p in (folder / "processed").iterdir()) == [
        "blueprints.csv",
        "problems.csv",
        "seminars.csv",
        "studies.csv",
    ]
    # a retried chunk finds its files already processed: nothing is imported twice
    again = collect_files(engine=engine, loaded=loaded, home=home, names=["seminars.csv"])
    assert again.files == []
    rest = import_waves(pending_files(home, loaded), loaded)
    assert rest == [["fixes.csv"], ["progress.csv"], ["signoff.csv"]]
