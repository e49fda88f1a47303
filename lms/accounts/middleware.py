from django.shortcuts import render
from django.urls import reverse


class AdminAccessMiddleware:
    """Refuse the Wagtail admin to signed-in users whose role has no admin access.

    Wagtail alone would bounce a student to the admin login form with a terse message;
    a student should instead be told plainly that the admin is not for them, and be shown
    the way to their own dashboard.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = None

    def __call__(self, request):
        if self.prefix is None:
            self.prefix = reverse("wagtailadmin_home")
        user = request.user
        if (
            request.path.startswith(self.prefix)
            and user.is_authenticated
            and not user.has_perm("wagtailadmin.access_admin")
        ):
            return render(request, "accounts/admin_refused.html", status=403)
        return self.get_response(request)
