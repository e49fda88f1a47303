"""/healthz: is the database reachable, and does a message go round the channel layer?"""

import asyncio
import uuid

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse

CHANNEL_LAYER_TIMEOUT = 2.0


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


async def _check_channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured")
    channel = await layer.new_channel("healthz.")
    nonce = uuid.uuid4().hex
    await layer.send(channel, {"type": "healthz.ping", "nonce": nonce})
    message = await asyncio.wait_for(layer.receive(channel), CHANNEL_LAYER_TIMEOUT)
    if message.get("nonce") != nonce:
        raise RuntimeError("the channel layer returned another message")


async def healthz(request):
    """200 with every part "ok", or 503 naming the part that failed and why."""
    checks = {
        "database": sync_to_async(_check_database)(),
        "channel_layer": asyncio.wait_for(_check_channel_layer(), CHANNEL_LAYER_TIMEOUT + 1),
    }
    report, failing = {}, []
    for name, check in checks.items():
        try:
            await check
            report[name] = {"ok": True}
        except Exception as exc:  # a health check reports every failure, whatever its type
            report[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            failing.append(name)
    body = {"status": "fail" if failing else "ok", "failing": failing, "checks": report}
    return JsonResponse(body, status=503 if failing else 200)
