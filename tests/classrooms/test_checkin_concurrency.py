"""Two check-ins of the same student at the same moment (a double tap, two tabs): one row,
two successes, whichever request loses the race."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from classrooms.models import Attendance, CheckInMethod
from classrooms.services import checkin
from tests.factories import StudentFactory, TeacherFactory
from tests.factories.attendance import make_session_now
from tests.factories.baseline import ensure_baseline
from tests.factories.classrooms import make_offering, make_term
from tests.factories.courses import make_course


def _session_and_student():
    ensure_baseline()  # role groups and page tree: an earlier transactional test emptied them
    teacher, student = TeacherFactory(), StudentFactory()
    offering = make_offering(
        course=make_course(teachers=[teacher]),
        term=make_term(),
        teachers=[teacher],
        students=[student],
    )
    return make_session_now(offering, minutes_from_start=1), student


@pytest.mark.django_db
def test_losing_the_race_is_a_success_that_reads_the_winner(monkeypatch):
    session, student = _session_and_student()
    first = checkin.check_in(session=session, student=student, method=CheckInMethod.QR)
    # The second request looked before the first committed: it saw no row and inserts.
    monkeypatch.setattr(checkin, "_existing_attendance", lambda session, student: None)
    second = checkin.check_in(session=session, student=student, method=CheckInMethod.CODE)
    assert (first.ok, first.created, first.reason) == (True, True, "ok")
    assert (second.ok, second.created, second.reason) == (True, False, "already")
    assert second.attendance.pk == first.attendance.pk
    assert Attendance.objects.get().method == CheckInMethod.QR


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_gives_one_row_and_two_successes(monkeypatch):
    session, student = _session_and_student()
    barrier = threading.Barrier(2, timeout=10)
    looked_up = checkin._existing_attendance

    def both_look_before_either_writes(session, student):
        found = looked_up(session, student)
        barrier.wait()
        return found

    monkeypatch.setattr(checkin, "_existing_attendance", both_look_before_either_writes)
    results, errors = [], []

    def submit():
        try:
            results.append(
                checkin.check_in(session=session, student=student, method=CheckInMethod.QR)
            )
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted((r.ok, r.created) for r in results) == [(True, False), (True, True)]
    assert Attendance.objects.filter(session=session, student=student).count() == 1
