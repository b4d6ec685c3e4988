"""Settings: data folder and database URL from the environment, read only when asked."""

from __future__ import annotations

from pathlib import Path

from campaignflow.settings import database_url, load_settings, normalise_database_url


def test_defaults_to_a_sqlite_file_in_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({})
    assert settings.home == tmp_path.resolve() / ".campaignflow"
    assert settings.database_url == f"sqlite:///{tmp_path.resolve()}/.campaignflow/campaignflow.db"
    assert settings.is_sqlite
    assert not (tmp_path / ".campaignflow").exists()  # reading settings creates nothing


def test_home_from_the_environment(tmp_path):
    settings = load_settings({"CAMPAIGNFLOW_HOME": str(tmp_path / "data")})
    assert settings.home == tmp_path / "data"
    assert settings.database_url.endswith(f"{tmp_path}/data/campaignflow.db")


def test_postgresql_urls_get_psycopg3():
    env = {"CAMPAIGNFLOW_DATABASE_URL": "postgresql://cf:secret@db.example:5432/cf"}
    assert database_url(env) == "postgresql+psycopg://cf:secret@db.example:5432/cf"
    assert normalise_database_url("postgres://h/db") == "postgresql+psycopg://h/db"
    assert normalise_database_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"
    assert normalise_database_url(" sqlite:///x.db ") == "sqlite:///x.db"
    assert not load_settings(env).is_sqlite


def test_blank_values_mean_the_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"CAMPAIGNFLOW_HOME": " ", "CAMPAIGNFLOW_DATABASE_URL": ""})
    assert settings.home == Path(tmp_path).resolve() / ".campaignflow"
