import threading

import pytest
from django.db import close_old_connections, connection, transaction

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6
INCREMENTS = 15


@pytest.mark.skipif(connection.vendor != "sqlite", reason="an SQLite guarantee")
def test_concurrent_read_modify_write_transactions_queue_instead_of_failing():
    """IMMEDIATE transactions take the write lock at BEGIN and wait (busy timeout) for it.

    With SQLite's default deferred transactions, two readers that both try to write
    fail at once with "database is locked", whatever the timeout.
    """
    counter = UserFactory(number="counter", display_name="0")
    errors: list[Exception] = []
    start = threading.Barrier(THREADS)

    def work():
        try:
            start.wait()
            for _ in range(INCREMENTS):
                with transaction.atomic():
                    row = type(counter).objects.get(pk=counter.pk)
                    row.display_name = str(int(row.display_name) + 1)
                    row.save(update_fields=["display_name"])
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    counter.refresh_from_db()
    assert counter.display_name == str(THREADS * INCREMENTS)
