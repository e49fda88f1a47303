import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from lms import config

ROOT = Path(__file__).resolve().parents[2]


def test_without_database_url_the_database_is_sqlite_in_wal_with_immediate_transactions():
    db = config.database("", sqlite_path=Path("/srv/rongke/db.sqlite3"))
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == "/srv/rongke/db.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert db["OPTIONS"]["timeout"] == 20
    assert "PRAGMA journal_mode=WAL;" in db["OPTIONS"]["init_command"]


def test_database_url_switches_to_postgresql_without_persistent_connections():
    db = config.database("postgres://rongke:pw@db.internal:5433/rongke", sqlite_path=Path("x"))
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == (
        "db.internal",
        5433,
        "rongke",
        "rongke",
    )
    assert db["CONN_MAX_AGE"] == 0


def test_redis_url_switches_channel_layer_and_cache_to_redis():
    url = "redis://cache.internal:6380/2"
    layer = config.channel_layers(url)["default"]
    assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert layer["CONFIG"]["hosts"] == [url]
    cache = config.caches(url)["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == url


def test_without_redis_url_channel_layer_and_cache_stay_in_process():
    assert config.channel_layers("")["default"]["BACKEND"] == (
        "lms.channel_layers.SweepingInMemoryChannelLayer"
    )
    assert config.caches(None)["default"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )


def test_lists_and_booleans_from_the_environment():
    assert config.env_list("a.edu, b.edu,", default=["x"]) == ["a.edu", "b.edu"]
    assert config.env_list("", default=["x"]) == ["x"]
    assert config.env_bool("off", default=True) is False
    assert config.env_bool("True", default=False) is True
    assert config.env_bool(None, default=True) is True


def test_the_running_settings_follow_the_environment():
    # The suite runs once per set-up: CI sets DATABASE_URL and REDIS_URL for the second run.
    engine = settings.DATABASES["default"]["ENGINE"]
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if os.environ.get("DATABASE_URL"):
        assert engine == "django.db.backends.postgresql"
    else:
        assert engine == "django.db.backends.sqlite3"
    if os.environ.get("REDIS_URL"):
        assert layer == "channels_redis.core.RedisChannelLayer"
    else:
        assert layer == "lms.channel_layers.SweepingInMemoryChannelLayer"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_variables():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k9$Hq2!vW8zL#pR4tY7uN1mB6xC3eF5gJ0aS-dQwErTyUiOp+Zx8&Lm3@Vb7^Nc",
        ALLOWED_HOSTS="rongke.example.edu",
        CSRF_TRUSTED_ORIGINS="https://rongke.example.edu",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_debug_off_without_a_secret_key_refuses_to_start():
    result = _manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


async def test_the_embedded_layer_still_expires_messages_and_delivers_the_rest():
    from lms.channel_layers import SweepingInMemoryChannelLayer

    layer = SweepingInMemoryChannelLayer(expiry=0)
    await layer.send("room.one", {"type": "old"})  # expires at once
    layer._swept_at = -10.0  # the next receive sweeps
    await layer.send("room.two", {"type": "fresh"})
    layer.expiry = 60
    await layer.send("room.one", {"type": "new"})
    assert await layer.receive("room.one") == {"type": "new"}
