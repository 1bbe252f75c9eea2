"""The request's client address, so services can audit it without taking the request as a parameter."""

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("tadiao_current_ip", default=None)
