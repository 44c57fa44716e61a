"""Login and logout as breadcrumbs; login sets the Sentry user, logout forgets it."""

from typing import Any

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from {{ cookiecutter.project_slug }}.core.sentry import (
    add_breadcrumb,
    clear_user_context,
    set_user_context,
)


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # From here on, this request acts for the user it signed in.
    set_user_context(user.pk, username=user.get_username(), email=user.email)
    add_breadcrumb("User logged in", category="auth", user_id=user.pk)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    add_breadcrumb(
        "User logged out", category="auth", user_id=getattr(user, "pk", None)
    )
    clear_user_context()


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: Any, **kwargs: Any) -> None:
    add_breadcrumb("Login failed", category="auth", level="warning")
