"""The request's client address, so services can audit it without taking the request as a parameter; and the
channel a write came through (the open API sets it to the token's name), added to every event's 说明."""

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("tadiao_current_ip", default=None)
# "" for the pages; "经 API 令牌“<名称>”" while the open API serves a request made with a personal token.
current_via: ContextVar[str] = ContextVar("tadiao_current_via", default="")


def with_via(message: str) -> str:
    """The event's 说明 with the channel of the write appended (unchanged when there is none)."""
    via = current_via.get()
    return "；".join(part for part in (message, via) if part)
