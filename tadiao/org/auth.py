"""Login rules of the accounts: the password rule 等保 expects, login names without case, the idle clock.

The login view is Django's, so the two hooks into it live here: the name django-axes counts failures under, and
the login signal that starts the idle clock (a request right after a login then writes no session).
"""

import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.http import HttpRequest

LAST_SEEN_KEY = "tadiao_last_seen"


class CharacterClassesValidator:
    """At least `min_length` characters from at least `min_classes` of: upper-case letters, lower-case letters,
    digits, other symbols (GB/T 22239-2019 等保 2.0: 口令具有复杂度要求)."""

    # Letters without case (汉字) are in no class: the rule is about what a password guesser has to try.
    CLASSES = (
        ("大写字母", lambda c: c.isascii() and c.isupper()),
        ("小写字母", lambda c: c.isascii() and c.islower()),
        ("数字", lambda c: c.isascii() and c.isdigit()),
        ("符号", lambda c: not c.isalnum() and not c.isspace()),
    )

    def __init__(self, min_length: int = 8, min_classes: int = 3) -> None:
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password: str, user: object = None) -> None:
        present = [name for name, test in self.CLASSES if any(test(c) for c in password)]
        if len(password) < self.min_length or len(present) < self.min_classes:
            raise ValidationError(self.message(), code="password_too_simple")

    def message(self) -> str:
        return (f"密码至少 {self.min_length} 位，并且至少包含大写字母、小写字母、数字、符号中的 "
                f"{self.min_classes} 种。")

    def get_help_text(self) -> str:
        return self.message()


def axes_username(request: HttpRequest, credentials: Mapping[str, Any] | None) -> str | None:
    """The name django-axes counts failed logins under: without case, as login names are, so DIAODU and diaodu
    share one lockout."""
    if credentials:
        name = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        name = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return name.strip().lower() if isinstance(name, str) else name


@receiver(user_logged_in)
def _start_idle_clock(sender: object, request: HttpRequest | None, user: object, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())
