from __future__ import annotations

from django.db import models


class OfferingQuerySet(models.QuerySet):
    def taught_by(self, user):
        return self.filter(models.Q(teachers=user) | models.Q(assistants=user)).distinct()

    def for_student(self, user):
        return self.filter(enrolments__student=user, enrolments__dropped_at__isnull=True)


class EnrolmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(dropped_at__isnull=True)


class SessionQuerySet(models.QuerySet):
    def for_offering(self, offering):
        return self.filter(offering=offering)

    def scheduled(self):
        return self.filter(status="scheduled")

    def between(self, start, end):
        return self.filter(starts_at__gte=start, starts_at__lt=end)
