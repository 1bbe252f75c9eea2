"""The `tadiao` console script: the same as manage.py."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadiao.settings")
    from django.core.management import execute_from_command_line

    if sys.argv[1:2] == ["db_worker"]:
        _recover_abandoned_jobs()
    execute_from_command_line(sys.argv)


def _recover_abandoned_jobs() -> None:
    """A worker starting: jobs left running by a worker that died (kill -9, a crash, a power cut) are failed
    or resumed before it takes new tasks (lib.leases). django-tasks-db's command cannot be wrapped by an app's
    command of the same name (it comes first in INSTALLED_APPS), so this is done here."""
    import django
    from django.utils import timezone

    django.setup()
    from tadiao.lib import leases

    count = leases.recover_all(now=timezone.now())
    if count:
        print(f"后台任务进程启动：已处理 {count} 个因进程中断而停止的后台任务。", file=sys.stderr)


if __name__ == "__main__":
    main()
