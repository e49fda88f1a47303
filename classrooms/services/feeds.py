"""The private iCalendar feed: every session and every prework due time of a user.

A user's feed URL carries a secret token (FeedToken). Revoking replaces the token, so the
old URL stops working at once. Sessions keep their UID for life and their SEQUENCE grows
when they move, so calendar applications update an event instead of duplicating it.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar, Event

from classrooms.models import Enrolment, FeedToken, Offering, Session, SessionStatus
from classrooms.services.week import due_items, latest_publications

PRODID = "-//Rongke//Rongke blended learning//EN"
UID_DOMAIN = "rongke"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def feed_token_for(user) -> FeedToken:
    """The user's feed token, created on first use. Idempotent; safe under concurrency
    (one row per user by the OneToOne constraint)."""
    token, _ = FeedToken.objects.get_or_create(user=user, defaults={"token": _new_token()})
    return token


@transaction.atomic
def revoke_feed_token(user) -> FeedToken:
    """Replace the user's token with a new one: the old feed URL stops working. Atomic."""
    token, _ = FeedToken.objects.update_or_create(user=user, defaults={"token": _new_token()})
    return token


def user_for_token(token: str):
    """The active user whose current feed token is ``token``, or None. One query."""
    found = (
        FeedToken.objects.select_related("user").filter(token=token, user__is_active=True).first()
    )
    return found.user if found else None


def due_uid(offering_id: int, page_id: int) -> str:
    """Stable UID of a prework due event: one per offering and online item."""
    return f"due-{offering_id}-{page_id}@{UID_DOMAIN}"


def _summary(offering: Offering) -> str:
    return f"{offering.course.title} [{offering.section}]"


def build_feed(user, *, now: datetime | None = None) -> bytes:
    """The user's iCalendar document (RFC 5545), as bytes.

    One VEVENT per session of the offerings the user is actively enrolled in, teaches or
    assists (UID and SEQUENCE from the session; cancelled ones with STATUS:CANCELLED), and,
    for the offerings the user studies, one zero-length VEVENT per online item at its due
    time in the newest published calendar. Read-only; three queries whatever the size.
    """
    now = now or timezone.now()
    studying = Enrolment.objects.active().filter(student=user).values("offering_id")
    taught = Offering.objects.taught_by(user).values("pk")
    sessions = list(
        Session.objects.filter(Q(offering_id__in=studying) | Q(offering_id__in=taught))
        .select_related("offering__course")
        .order_by("starts_at", "id")
    )
    studied = {
        e.offering_id: e.offering
        for e in Enrolment.objects.active().filter(student=user).select_related("offering__course")
    }

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Rongke · {user.display_name or user.number}")
    tz = timezone.get_current_timezone()
    calendar.add("x-wr-timezone", str(tz))

    for session in sessions:
        event = Event()
        event.add("uid", session.uid)
        event.add("sequence", session.sequence)
        event.add("dtstamp", now)
        event.add("dtstart", timezone.localtime(session.starts_at, tz))
        event.add("dtend", timezone.localtime(session.ends_at, tz))
        event.add("summary", _summary(session.offering))
        event.add("location", session.room)
        if session.status == SessionStatus.CANCELLED:
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        calendar.add_component(event)

    seen: set[str] = set()
    for offering_id, publication in latest_publications(studied).items():
        offering = studied[offering_id]
        for _entry, due_at, item in due_items(publication):
            uid = due_uid(offering_id, item["page_id"])
            if uid in seen:  # an item linked twice keeps its first (earliest listed) due time
                continue
            seen.add(uid)
            event = Event()
            event.add("uid", uid)
            event.add("sequence", publication.number)
            event.add("dtstamp", now)
            start = timezone.localtime(due_at, tz)
            event.add("dtstart", start)
            event.add("dtend", start)  # zero length: a point in time
            event.add("summary", f"{item.get('title', '')} · {_summary(offering)}")
            if item.get("url"):
                event.add("description", str(item["url"]))
            event.add("transp", "TRANSPARENT")
            calendar.add_component(event)

    calendar.add_missing_timezones()
    return calendar.to_ical()
