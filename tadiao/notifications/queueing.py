"""How the notification services reach the task worker without importing the task module (which calls them):
`book_delivery(when)` queues a delivery run through the function NotificationsConfig.ready() connects here
(tasks.book_delivery). notify() is called inside other apps' services, so the hook cannot be passed in per call.
"""

import datetime
import logging
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

logger = logging.getLogger(__name__)

# `book(when)` queues a run now (when=None) or at `when`; None until the app is loaded.
_delivery_queue: Callable[[datetime.datetime | None], None] | None = None


def connect_delivery_queue(book: Callable[[datetime.datetime | None], None]) -> None:
    """Called once, at app load, with tasks.book_delivery."""
    global _delivery_queue
    _delivery_queue = book


def book_delivery(when: datetime.datetime | None = None) -> None:
    """Queue a delivery run now, or at `when` (unless one is already queued no later)."""
    if _delivery_queue is None:
        raise ImproperlyConfigured("通知投递队列未连接：NotificationsConfig.ready() 应连接 tasks.book_delivery。")
    _delivery_queue(when)


def schedule_delivery() -> None:
    """Ask the worker to deliver once the current transaction commits (nothing is sent for a rollback)."""

    def enqueue() -> None:
        try:
            book_delivery()
        except Exception:  # the rows stay pending: the next run or `tadiao deliver_notifications` sends them
            logger.exception("通知投递任务入队失败")

    transaction.on_commit(enqueue)
