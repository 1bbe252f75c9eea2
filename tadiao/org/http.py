"""The request a page behind the login receives, for annotations: `request.user` is a logged-in User (the
LoginRequiredEverywhereMiddleware lets no anonymous request through to a page) and `request.htmx` is set by
django-htmx's middleware. Django builds plain HttpRequests; this class only tells the type checker what they hold."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from tadiao.org.models import User


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
