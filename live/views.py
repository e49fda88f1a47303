"""The live classroom's pages: the teacher's console, the projector, the student's phone, and
the prepare page for polls set up before class.

The three screens are shells: everything they show comes over the room's WebSocket
(docs/live-protocol.md) and is drawn by live/static/live/*.js. Who may open a page is decided
by ``live.services.rooms.role_in``, the rule the socket applies, so a page never opens for
someone the socket would refuse. The pages carry no room data: in particular the student's
page holds neither answer keys nor classmates' names.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from classrooms.models import Session, SessionStatus
from courses.models import Question, QuestionKind
from live.forms import PreparedPollForm
from live.models import Poll, PollKind, PollStatus
from live.services import prepare
from live.services.rooms import PROJECTOR, STUDENT, TEACHER, role_in

# Question-bank kinds a poll can take over as they are (their answer key maps onto a poll's).
BANK_KINDS = [QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE]
BANK_LIMIT = 500

# Every text the screens' JavaScript shows, translated here and handed to it as JSON.
TEXTS = {
    "connecting": gettext_lazy("Connecting…"),
    "connected": gettext_lazy("Connected"),
    "reconnecting": gettext_lazy("Connection lost: reconnecting in %(n)s s…"),
    "login": gettext_lazy("Please log in again."),
    "refused": gettext_lazy("This is not your class."),
    "refused_cancelled": gettext_lazy("This session is cancelled."),
    "refused_missing": gettext_lazy("This session does not exist."),
    "error": gettext_lazy("Something went wrong; please try again."),
    "not_sent": gettext_lazy("Not sent: there is no connection. Try again in a moment."),
    "answer_expired": gettext_lazy("Your answer could not be sent before the poll closed."),
    "sent": gettext_lazy("Sent."),
    "sending": gettext_lazy("Sending…"),
    "kept_offline": gettext_lazy(
        "Kept on this phone; it will be sent when the connection is back."
    ),
    "submit": gettext_lazy("Submit"),
    "true": gettext_lazy("True"),
    "false": gettext_lazy("False"),
    "correct_is": gettext_lazy("Right answer: %(answer)s"),
    "your_answer": gettext_lazy("Your answer: %(answer)s"),
    "your_answer_label": gettext_lazy("Your answer"),
    "you_were_right": gettext_lazy("You were right."),
    "you_were_wrong": gettext_lazy("You were wrong."),
    "you_did_not_answer": gettext_lazy("You did not answer."),
    "no_poll": gettext_lazy("No poll yet."),
    "no_answers": gettext_lazy("No answers yet."),
    "results": gettext_lazy("Results"),
    "seconds_left": gettext_lazy("%(n)s s left"),
    "answered_count": gettext_lazy("Answers: %(n)s (checked in: %(of)s)"),
    "open": gettext_lazy("Open"),
    "closed": gettext_lazy("Closed"),
    "open_poll": gettext_lazy("Open"),
    "close_poll": gettext_lazy("Close the poll"),
    "poll_opened": gettext_lazy("The poll is open."),
    "no_prepared": gettext_lazy("No prepared poll left."),
    "bad_numbers": gettext_lazy("Write option numbers such as 2 or 1, 3."),
    "checked_in": gettext_lazy("You are checked in."),
    "not_checked_in": gettext_lazy("You have not checked in yet."),
    "check_in_now": gettext_lazy("Check in"),
    "checked_in_count": gettext_lazy("Checked in: %(n)s of %(of)s"),
    "checkin_open": gettext_lazy("Check-in is open."),
    "checkin_closed": gettext_lazy("Check-in is closed."),
    "open_checkin": gettext_lazy("Open check-in"),
    "close_checkin": gettext_lazy("Close check-in"),
    "who_checked_in": gettext_lazy("Who has checked in"),
    "late": gettext_lazy("late"),
    "qr_alt": gettext_lazy("QR code to check in"),
    "called": gettext_lazy("Called: %(name)s"),
    "called_label": gettext_lazy("Called at random"),
    "called_before": gettext_lazy("Before: %(names)s"),
    "you_are_called": gettext_lazy("You have been called!"),
    "no_calls": gettext_lazy("Nobody called yet."),
    "raise_hand": gettext_lazy("Raise my hand"),
    "lower_hand": gettext_lazy("Lower my hand"),
    "lower": gettext_lazy("Lower"),
    "no_hands": gettext_lazy("No raised hands."),
    "answered": gettext_lazy("answered"),
    "mark_answered": gettext_lazy("Answered"),
    "no_questions": gettext_lazy("No questions yet."),
    "hide": gettext_lazy("Hide"),
    "hidden": gettext_lazy("hidden"),
    "mute": gettext_lazy("Mute"),
    "unmute": gettext_lazy("Unmute"),
    "muted": gettext_lazy("The teacher has muted you: comments and questions are off."),
    "muted_students": gettext_lazy("Muted:"),
    "no_comments": gettext_lazy("No comments yet."),
    **{f"kind_{kind.value}": kind.label for kind in PollKind},
}


def _texts() -> dict[str, str]:
    return {key: str(text) for key, text in TEXTS.items()}


def _session_or_404(session_id: int) -> Session:
    return get_object_or_404(
        Session.objects.select_related("offering__course", "offering__term"), pk=session_id
    )


def _forbidden(request, session: Session):
    return render(request, "live/forbidden.html", {"session": session}, status=403)


def _cancelled(request, session: Session):
    # 410 Gone, as the socket closes with 4410: the room of a cancelled session never opens.
    return render(request, "live/cancelled.html", {"session": session}, status=410)


def _config(request, session: Session, *, socket: str, **urls) -> dict:
    """What the screen's script needs: ids, the socket's path, the pages it links to."""
    return {
        "session": session.pk,
        "user": request.user.pk,
        "socket": socket,
        "login": resolve_url(settings.LOGIN_URL),
        "urls": urls,
    }


def _socket_path(session: Session) -> str:
    return f"/ws/live/{session.pk}/"


def _screen(request, session: Session, template: str, *, config: dict, **context):
    return render(
        request,
        template,
        {
            "session": session,
            "offering": session.offering,
            "config": config,
            "texts": _texts(),
            **context,
        },
    )


@login_required
def console(request, session_id: int):
    """The teacher's console: teachers and assistants of the offering (and superusers)."""
    session = _session_or_404(session_id)
    if role_in(session, request.user) != TEACHER:
        return _forbidden(request, session)
    if session.status == SessionStatus.CANCELLED:
        return _cancelled(request, session)
    return _screen(
        request,
        session,
        "live/console.html",
        config=_config(request, session, socket=_socket_path(session)),
        bank=_bank(session),
        kinds=PollKind.choices,
    )


def _bank(session: Session):
    """The course's questions that can be opened as polls (``poll.open`` with ``question``)."""
    return (
        Question.objects.filter(course_id=session.offering.course_id, kind__in=BANK_KINDS)
        .only("id", "kind", "title", "text")
        .order_by("title", "id")[:BANK_LIMIT]
    )


@login_required
def bank(request, session_id: int):
    """The question bank a console may open polls from, as JSON (docs/live-protocol.md):
    ids, kinds, titles and texts, never the answers. For the room's teachers only."""
    session = _session_or_404(session_id)
    if role_in(session, request.user) != TEACHER:
        return JsonResponse({"error": _("You may not do this here.")}, status=403)
    questions = [
        {"id": q.pk, "kind": q.kind, "title": q.title, "text": q.text} for q in _bank(session)
    ]
    return JsonResponse({"questions": questions})


@login_required
def projector(request, session_id: int):
    """The big screen: the same people as the console, with the projector's view."""
    session = _session_or_404(session_id)
    if role_in(session, request.user, view="projector") != PROJECTOR:
        return _forbidden(request, session)
    if session.status == SessionStatus.CANCELLED:
        return _cancelled(request, session)
    return _screen(
        request,
        session,
        "live/projector.html",
        config=_config(
            request,
            session,
            socket=_socket_path(session) + "?view=projector",
            checkin_state=reverse("classrooms:checkin_state", args=[session.pk]),
            checkin_code=reverse("classrooms:checkin_code"),
        ),
    )


@login_required
def student(request, session_id: int):
    """The student's phone: students actively enrolled in the offering. A teacher of the
    class is sent to the console (the socket would give them the teacher's role)."""
    session = _session_or_404(session_id)
    role = role_in(session, request.user)
    if role == TEACHER:
        return redirect("live:console", session.pk)
    if role != STUDENT:
        return _forbidden(request, session)
    if session.status == SessionStatus.CANCELLED:
        return _cancelled(request, session)
    return _screen(
        request,
        session,
        "live/student.html",
        config=_config(
            request,
            session,
            socket=_socket_path(session),
            checkin_code=reverse("classrooms:checkin_code"),
        ),
    )


# --- prepared polls ------------------------------------------------------------------------
def _teacher_session(request, session_id: int) -> tuple[Session, bool]:
    """The session, and whether the user may prepare its polls (the console's people)."""
    session = _session_or_404(session_id)
    return session, role_in(session, request.user) == TEACHER


def _poll_or_404(session: Session, poll_id: int) -> Poll:
    return get_object_or_404(Poll, pk=poll_id, room__session=session)


@login_required
@require_http_methods(["GET", "POST"])
def prepare_list(request, session_id: int):
    """The session's prepared polls, and the form to add one."""
    session, allowed = _teacher_session(request, session_id)
    if not allowed:
        return _forbidden(request, session)
    form = PreparedPollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            prepare.create_prepared_poll(
                session=session, by=request.user, **form.service_arguments()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The poll was added."))
            return redirect("live:prepare", session.pk)
    return render(
        request,
        "live/prepare.html",
        {
            "session": session,
            "offering": session.offering,
            "polls": prepare.prepared_polls(session),
            "form": form,
            "cancelled": session.status == SessionStatus.CANCELLED,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def prepare_edit(request, session_id: int, poll_id: int):
    """Edit a prepared poll; one already opened in class is shown as such and not changed."""
    session, allowed = _teacher_session(request, session_id)
    if not allowed:
        return _forbidden(request, session)
    poll = _poll_or_404(session, poll_id)
    if poll.status != PollStatus.DRAFT:
        messages.error(request, _("This poll has been opened in class and can no longer change."))
        return redirect("live:prepare", session.pk)
    if request.method == "POST":
        form = PreparedPollForm(request.POST)
        if form.is_valid():
            try:
                prepare.update_prepared_poll(poll=poll, **form.service_arguments())
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The poll was saved."))
                return redirect("live:prepare", session.pk)
    else:
        form = PreparedPollForm.for_poll(poll)
    return render(
        request,
        "live/prepare_edit.html",
        {"session": session, "offering": session.offering, "poll": poll, "form": form},
    )


@login_required
@require_POST
def prepare_delete(request, session_id: int, poll_id: int):
    """Delete a prepared poll (drafts only)."""
    session, allowed = _teacher_session(request, session_id)
    if not allowed:
        return _forbidden(request, session)
    poll = _poll_or_404(session, poll_id)
    try:
        prepare.delete_prepared_poll(poll=poll)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The poll was deleted."))
    return redirect("live:prepare", session.pk)
