from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from classrooms import services as classrooms
from classrooms.services import attendance_reports
from courses import services as courses
from lms.accounts.models import Role

DASHBOARDS = {
    Role.TEACHER: "home:teacher",
    Role.REVIEWER: "home:reviewer",
    Role.STUDENT: "home:student",
}


@login_required
def dashboard(request):
    """Send each user to their role's dashboard (teacher first for people with several)."""
    for role in request.user.roles:
        return redirect(DASHBOARDS[role])
    return render(request, "home/no_role.html")


def _dashboard_context(role: Role, user) -> dict:
    if role == Role.STUDENT:
        week = classrooms.student_week(student=user)
        return {
            "today": week.days[0],
            "due_soon": [task for day in week.days for task in day.tasks if task.state != "done"],
            "courses": courses.courses_for_learner(user),
            "offerings": classrooms.offerings_for_student(user),
            "attendance_rates": attendance_reports.rates_for_student(user),
        }
    if role == Role.TEACHER:
        return {
            "today": classrooms.teacher_week(teacher=user).days[0],
            "courses": courses.courses_for_teacher(user),
            "offerings": classrooms.offerings_for_staff(user),
            "attendance_alerts": attendance_reports.students_below_threshold(user),
        }
    return {}


def _role_dashboard(role: Role, template: str):
    @login_required
    def view(request):
        if role not in request.user.roles:
            raise PermissionDenied
        context = {"role": role, **_dashboard_context(role, request.user)}
        return render(request, template, context)

    view.__name__ = f"{role.name.lower()}_dashboard"
    return view


student = _role_dashboard(Role.STUDENT, "home/student.html")
teacher = _role_dashboard(Role.TEACHER, "home/teacher.html")
reviewer = _role_dashboard(Role.REVIEWER, "home/reviewer.html")
