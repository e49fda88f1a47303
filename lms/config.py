"""Turn environment variables into Django settings values.

Plain functions of their inputs, so that the switch between the embedded default and the
scaled set-up (PostgreSQL, Redis) is tested without reloading the settings module.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

TRUTHY = {"1", "true", "yes", "on"}


def env_bool(value: str | None, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in TRUTHY


def env_list(value: str | None, *, default: list[str]) -> list[str]:
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database(url: str | None, *, sqlite_path: Path) -> dict:
    """PostgreSQL when ``url`` is given, else the embedded SQLite file.

    SQLite runs in WAL mode with immediate transactions and a busy timeout, so concurrent
    writers queue instead of failing with "database is locked". PostgreSQL connections are
    not kept: under ASGI each request may run in another thread, and persistent
    connections would pile up (CONN_MAX_AGE=0).
    """
    if url:
        config = dj_database_url.parse(url, conn_max_age=0, conn_health_checks=False)
        config.setdefault("OPTIONS", {})
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(sqlite_path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA foreign_keys=ON;"
            ),
        },
        # Tests use a file too (not ":memory:"), so they exercise WAL and locking as run.
        "TEST": {"NAME": str(sqlite_path.with_name(f"test-{sqlite_path.name}"))},
    }


def channel_layers(redis_url: str | None) -> dict:
    """Redis (many Daphne processes) when ``redis_url`` is given, else in-memory (one)."""
    if redis_url:
        return {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [redis_url], "capacity": 1500, "expiry": 30},
            }
        }
    return {"default": {"BACKEND": "lms.channel_layers.SweepingInMemoryChannelLayer"}}


def caches(redis_url: str | None) -> dict:
    """Redis when ``redis_url`` is given (shared by all processes), else local memory."""
    if redis_url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "rongke",
            }
        }
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
