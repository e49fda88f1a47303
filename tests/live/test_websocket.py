import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from lms.asgi import application
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")


def _session_cookie(user) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def test_a_signed_in_user_gets_a_pong_over_the_real_asgi_stack():
    from channels.db import database_sync_to_async

    user = await database_sync_to_async(StudentFactory)()
    cookie = await database_sync_to_async(_session_cookie)(user)
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=[ORIGIN, cookie])
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong", "user": user.number}
    await communicator.send_to(text_data="{not json")
    assert await communicator.receive_json_from() == {"type": "error", "code": "malformed"}
    await communicator.disconnect()


async def test_an_anonymous_connection_is_closed_with_4401():
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=[ORIGIN])
    connected, _ = await communicator.connect()
    assert connected  # accepted first: a browser sees the code only after the handshake
    message = await communicator.receive_output(timeout=2)
    assert (message["type"], message["code"]) == ("websocket.close", 4401)
    await communicator.disconnect()


async def test_a_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", b"http://evil.example.com")]
    )
    connected, _ = await communicator.connect()
    assert not connected
