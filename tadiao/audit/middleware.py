from tadiao.audit.context import current_ip, current_via


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client and would let anyone forge the audit trail.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        via = current_via.set("")  # the open API names its token here for this request only
        try:
            return self.get_response(request)
        finally:
            current_via.reset(via)
            current_ip.reset(token)
