"""The unread count in the header of every page: one COUNT query, run only when a template shows it."""

from django.utils.functional import SimpleLazyObject

from tadiao.notifications import queries


def unread_messages(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_message_count": SimpleLazyObject(lambda: queries.unread_count(user))}
