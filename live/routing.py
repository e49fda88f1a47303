import os

from django.urls import path

from live import consumers

websocket_urlpatterns = [
    path("ws/live/<int:session_id>/", consumers.LiveConsumer.as_asgi()),
    path("ws/ping/", consumers.PingConsumer.as_asgi()),
]

if os.environ.get("RONGKE_BENCH") == "1":
    # The benchmark's bare room (tests/bench/bench_live.py); never in a deployment.
    from live import bench

    websocket_urlpatterns += bench.websocket_urlpatterns
