"""Joining: one room per session even when the first screens connect at the same moment;
event numbers taken in the writing transaction."""

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from live.models import LiveRoom
from live.services import join, next_seq
from tests.live.roomkit import make_class


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_joins_make_one_room():
    klass = make_class(5)
    users = [klass.teacher, *klass.students]
    start = threading.Barrier(len(users))
    rooms, errors = [], []

    def work(user):
        try:
            start.wait()
            rooms.append(join(klass.session.pk, user).room.pk)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(rooms)) == 1 and len(rooms) == len(users)
    assert LiveRoom.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_event_numbers_grow_by_one_and_only_inside_a_transaction():
    klass = make_class(1)
    room = join(klass.session.pk, klass.teacher).room
    with pytest.raises(RuntimeError):
        next_seq(room.pk)  # outside the write it numbers
    with transaction.atomic():
        assert [next_seq(room.pk) for _ in range(3)] == [1, 2, 3]
    room.refresh_from_db()
    assert room.seq == 3
