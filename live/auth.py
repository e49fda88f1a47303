"""Session authentication for the WebSocket stack, with the users of a crowd of sockets
looked up together.

Channels' ``AuthMiddleware`` looks up each socket's user in its own trip to the database
thread (and, with ``CONN_MAX_AGE=0``, its own database connection). When a class connects at
once, those trips queue one behind another before any room is entered. This stack is
Channels' own (cookies, session, auth) with one change: the lookups that arrive while one
is running go together in the next trip (``live.batching``). Each socket still gets
Channels' ``get_user`` for its own scope, session checks included.
"""

from __future__ import annotations

from channels.auth import AuthMiddleware, get_user
from channels.sessions import CookieMiddleware, SessionMiddleware

from live import batching

# Channels' lookup itself (``get_user`` without its own trip to the database thread), for
# each scope of a batch: the user (or AnonymousUser), or the error its lookup raised.
users_of = batching.each(get_user.func)


class BatchedAuthMiddleware(AuthMiddleware):
    """``AuthMiddleware`` whose lookups share trips to the database thread."""

    async def resolve_scope(self, scope):
        scope["user"]._wrapped = await batching.batcher("users", users_of).submit(scope)


def AuthMiddlewareStack(inner):
    """Channels' ``AuthMiddlewareStack``, with batched lookups."""
    return CookieMiddleware(SessionMiddleware(BatchedAuthMiddleware(inner)))
