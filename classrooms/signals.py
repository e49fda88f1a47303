"""Signals ``classrooms`` sends for other apps to react to (it imports none of them).

``checked_in(sender, attendance)``: a student checked in (``services.checkin.check_in``); sent
after the commit, so receivers see the row.
"""

from django.dispatch import Signal

checked_in = Signal()
