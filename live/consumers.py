from channels.generic.websocket import AsyncJsonWebsocketConsumer

# Close codes of our own (4000-4999 are for applications); docs/live-protocol.md lists them.
CLOSE_UNAUTHENTICATED = 4401


class PingConsumer(AsyncJsonWebsocketConsumer):
    """Connectivity check for signed-in users: answers {"type": "ping"} with a pong.

    Proves the WebSocket path end to end (origin check, session authentication) before
    the live classroom exists. Anonymous connections are closed with 4401.
    """

    async def connect(self):
        if not self.scope["user"].is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
        except ValueError:  # not JSON, or a binary frame
            await self.send_json({"type": "error", "code": "malformed"})

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong", "user": self.scope["user"].number})
        else:
            await self.send_json({"type": "error", "code": "unknown_type"})
