from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_database_and_channel_layer_work(client):
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "failing": [],
        "checks": {"database": {"ok": True}, "channel_layer": {"ok": True}},
    }


def test_healthz_is_503_naming_the_database_when_it_is_down(client):
    with mock.patch(
        "lms.health.connection.cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == {
        "ok": False,
        "error": "OperationalError: connection refused",
    }
    assert body["checks"]["channel_layer"] == {"ok": True}


def test_healthz_is_503_naming_the_channel_layer_when_redis_is_unreachable(client, settings):
    # Nothing listens on port 1: the same failure as a Redis server that is down.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["channel_layer"]
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["channel_layer"]["ok"] is False
    assert body["checks"]["channel_layer"]["error"]
