"""The unread count for the header: one COUNT query, run only when a template shows it (base.html loads the
badge with htmx after the page, so ordinary pages do not run it at all)."""

from django.utils.functional import SimpleLazyObject

from tadiao.notifications import queries


def unread_messages(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_message_count": SimpleLazyObject(lambda: queries.unread_count(user))}
