from django.urls import path

from live import consumers

websocket_urlpatterns = [
    path("ws/live/<int:session_id>/", consumers.LiveConsumer.as_asgi()),
    path("ws/ping/", consumers.PingConsumer.as_asgi()),
]
