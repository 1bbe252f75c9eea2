"""Leases of background jobs (imports, bulletin generation, notification delivery): how a job running in
`tadiao db_worker` shows it is alive, and how a job whose worker died (kill -9, power cut, OOM) is found.

A running job carries the worker that took it (`host:pid`) and the time of its last heartbeat, renewed as the
job writes its progress. It is abandoned when the heartbeat is older than the lease, or at once when its worker
ran on this host and that process is gone. The apps' recovery functions (RECOVERERS) then fail or resume it;
they are called when a worker starts (tadiao.cli), when a task starts, and when a job's page is looked at.

No models here and no clock: `now` is passed in, the process check can be replaced in tests.
"""

import datetime
import os
import socket
from collections.abc import Callable

from django.utils.module_loading import import_string

# Longer than the longest stretch a job runs without writing its progress (the write transaction of a
# 10 000-row import; rendering a large bulletin): a slow job is not taken for a dead one. A dead worker on this
# host is found at once by its process id, without waiting for the lease.
LEASE = datetime.timedelta(minutes=10)

# Each takes now= and returns how many jobs it failed or resumed.
RECOVERERS = [
    "tadiao.imports.services.recover_stale_jobs",
    "tadiao.bulletins.services.recover_stale_generations",
    "tadiao.notifications.recovery.recover_interrupted_deliveries",
]

Alive = Callable[[str], bool | None]


def worker_identity() -> str:
    """This process as a job's `worker` field: host name and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def process_alive(identity: str) -> bool | None:
    """Whether the worker `identity` still runs: True/False for a process on this host, None when it ran on
    another host (only the lease can tell). A zombie (killed, not yet reaped by its parent) is dead."""
    host, _, pid_text = identity.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            state = stat.read().rpartition(")")[2].split()[:1]
    except OSError:
        return True
    return state != ["Z"]


def is_abandoned(*, heartbeat_at: datetime.datetime | None, worker: str, now: datetime.datetime,
                 lease: datetime.timedelta = LEASE, alive: Alive = process_alive) -> bool:
    """A running job whose worker stopped: no heartbeat within the lease, or its process is gone. A job that
    never had a heartbeat (started before leases existed) counts as abandoned."""
    if heartbeat_at is None or heartbeat_at < now - lease:
        return True
    return bool(worker) and alive(worker) is False


def recover_all(*, now: datetime.datetime) -> int:
    """Run every app's recovery; returns how many jobs were failed or resumed."""
    return sum(import_string(path)(now=now) for path in RECOVERERS)
