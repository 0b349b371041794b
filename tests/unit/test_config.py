import pytest

from app import create_app
from app.config import ConfigurationError, from_environment, normalise_database_url


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"JOBTAB_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})


def test_production_starts_with_a_secret_key(tmp_path):
    app = create_app(
        {"JOBTAB_ENV": "production", "SECRET_KEY": "a" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    )
    assert app.debug is False
    assert app.config["SESSION_COOKIE_SAMESITE"] == "None"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_PARTITIONED"] is True


def test_development_gets_a_random_key_kept_in_the_instance_folder(tmp_path):
    first = create_app({"JOBTAB_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    second = create_app({"JOBTAB_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert len(first.config["SECRET_KEY"]) >= 40
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]


def test_environment_variables_are_read():
    values = from_environment(
        {
            "SECRET_KEY": "s",
            "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/jobtab",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "MAIL_SERVER": "smtp.example.org",
            "MAIL_PORT": "2525",
            "MAIL_DEFAULT_SENDER": "Jobtab <emploi@example.org>",
            "PUBLIC_BASE_URL": "https://emploi.example.org",
            "UNRELATED": "ignored",
        }
    )
    assert values["MAIL_PORT"] == 2525
    assert values["PUBLIC_BASE_URL"] == "https://emploi.example.org"
    assert "UNRELATED" not in values


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.sqlite3", "sqlite:///x.sqlite3"),
    ],
)
def test_postgresql_urls_use_psycopg_3(given, expected):
    assert normalise_database_url(given) == expected


def test_sqlite_in_the_instance_folder_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("JOBTAB_ENV", "development")
    app = create_app()
    assert app.config["DATABASE_URL"].startswith("sqlite:///")
    assert app.config["DATABASE_URL"].endswith("instance/jobtab.sqlite3")
