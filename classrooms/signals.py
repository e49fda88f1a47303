"""Signals ``classrooms`` sends for other apps to react to (it imports none of them).

``checked_in(sender, attendance)``: a student checked in (``services.checkin.check_in``); sent
after the commit, so receivers see the row.

``attendance_marked(sender, attendances)``: a teacher set these rows' statuses by hand
(``services.attendance.mark`` and ``mark_many``); only rows whose status changed; sent after
the commit.
"""

from django.dispatch import Signal

checked_in = Signal()
attendance_marked = Signal()
