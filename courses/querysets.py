from __future__ import annotations

from django.db import models


class CourseAccessQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)


class QuestionQuerySet(models.QuerySet):
    def for_course(self, course):
        return self.filter(course=course)

    def tagged(self, tag):
        return self.filter(tags=tag)


class VideoProgressQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)


class AttemptQuerySet(models.QuerySet):
    def for_student(self, student):
        return self.filter(student=student)

    def open(self):
        return self.filter(submitted_at__isnull=True)

    def submitted(self):
        return self.filter(submitted_at__isnull=False)
