"""Delivery of the outbox to a real HTTP server on 127.0.0.1 playing the robots: signature, permanent and transient
failures, backoff, a robot down for hours, giving up on old rows and retrying, the rate limit with a controlled
clock, email, and the worker task."""

import datetime
import itertools

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tadiao.notifications import services, tasks
from tadiao.notifications.models import Channel, DeliveryAttempt, Message, Outbox

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


def seconds(n: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=n)


@pytest.fixture
def dingtalk(robot):
    return Channel.objects.create(
        type=Channel.Type.DINGTALK, name="重点项目办钉钉群", webhook_url=robot.dingtalk_url, secret=robot.secret
    )


@pytest.fixture
def wecom(robot):
    return Channel.objects.create(type=Channel.Type.WECOM, name="企业微信群", webhook_url=robot.wecom_url)


def _notify(unit, title="东城镇智能装备产业园：用地指标问题已交办", now=T0):
    return services.notify(
        kind=Message.Kind.ASSIGNED, title=title, body="请于11月30日前办结。", link="/coordination/problems/7/",
        units=[unit], now=now,
    )


def test_dingtalk_signed_and_wecom_delivered(robot, dingtalk, wecom, reporter_a, unit_a):
    _notify(unit_a)
    run = services.deliver_due(now=T0)
    assert (run.sent, run.failed, run.next_due) == (2, 0, None)
    assert sorted(r["robot"] for r in robot.received) == ["dingtalk", "wecom"]
    ding = next(r for r in robot.received if r["robot"] == "dingtalk")
    assert ding["query"]["access_token"] == "abc123"
    assert ding["query"]["timestamp"] == str(int(T0.timestamp() * 1000))
    assert robot.signature_ok(ding["query"])
    assert ding["json"]["msgtype"] == "text"
    assert next(r for r in robot.received if r["robot"] == "wecom")["query"] == {"key": "k-123"}
    for text in robot.texts():
        assert text.startswith("【交办】东城镇智能装备产业园：用地指标问题已交办\n请于11月30日前办结。")
        assert "/coordination/problems/7/" in text
    assert set(Outbox.objects.values_list("status", "attempts", "sent_at")) == {(Outbox.Status.SENT, 1, T0)}
    assert list(DeliveryAttempt.objects.values_list("ok", flat=True)) == [True, True]


def test_signature_matches_dingtalk_documented_example():
    # The algorithm as DingTalk documents it: HMAC-SHA256("timestamp\nsecret", key=secret) → base64 → urlencode;
    # the expected value was computed apart, with
    # printf '%s\n%s' 1795424400000 SECabc | openssl dgst -sha256 -hmac SECabc -binary | base64
    url = services.dingtalk_signed_url("http://127.0.0.1/robot/send?access_token=x", "SECabc", now=T0)
    assert url == (
        "http://127.0.0.1/robot/send?access_token=x&timestamp=1795424400000"
        "&sign=sUK3YXiTuZKkTMZ%2Bqw6lWd2JGwDnNEA3IfM18PYkLHg%3D"
    )


def test_wrong_secret_fails_the_row_at_once_without_retries(robot, dingtalk, reporter_a, unit_a):
    Channel.objects.filter(pk=dingtalk.pk).update(secret="SECwrong")
    _notify(unit_a)
    run = services.deliver_due(now=T0)
    assert (run.sent, run.failed, run.given_up, run.next_due) == (0, 1, 1, None)
    row = Outbox.objects.get()
    assert (row.status, row.attempts) == (Outbox.Status.FAILED, 1)
    assert "310000" in row.last_error and "sign not match" in row.last_error and "重试无法解决" in row.last_error
    # Never retried on its own, however long one waits.
    for hours in (1, 24, 100):
        assert services.deliver_due(now=T0 + datetime.timedelta(hours=hours)).failed == 0
    assert robot.requests() == 1


@pytest.mark.parametrize("mode, errcode, error", [
    ("errcode", 310000, "errcode 310000"),  # keyword / signature / IP whitelist
    ("errcode", 300001, "errcode 300001"),  # DingTalk: invalid token
    ("errcode", 93000, "errcode 93000"),  # WeCom: invalid webhook key
    ("404", None, "HTTP 404"),  # a wrong address: any 4xx but 429
])
def test_permanent_errors_fail_each_row_at_once(robot, wecom, reporter_a, unit_a, mode, errcode, error):
    if mode == "404":
        Channel.objects.filter(pk=wecom.pk).update(webhook_url=f"{robot.base}/missing")
    else:
        robot.mode, robot.errcode = mode, errcode
    _notify(unit_a, title="一")
    _notify(unit_a, title="二")
    run = services.deliver_due(now=T0)
    # Each row gets its own answer (a keyword refusal may depend on the text); none waits for a retry.
    assert (run.failed, run.given_up, run.held, run.next_due) == (2, 2, 0, None)
    assert robot.requests() == 2
    for row in Outbox.objects.all():
        assert (row.status, row.attempts) == (Outbox.Status.FAILED, 1)
        assert row.last_error.startswith(error)


@pytest.mark.parametrize("mode, errcode, error", [
    ("500", None, "HTTP 500"),
    ("429", None, "HTTP 429"),
    ("errcode", 130101, "errcode 130101"),  # DingTalk: sending too fast
    ("timeout", None, "超时"),
])
def test_transient_failure_backs_off_exponentially_then_recovers(robot, wecom, reporter_a, unit_a, mode, errcode,
                                                                 error):
    robot.mode, robot.errcode = mode, errcode
    _notify(unit_a)
    now = T0
    for attempt, wait in [(1, 60), (2, 120), (3, 240)]:
        run = services.deliver_due(now=now)
        assert run.failed == 1
        row = Outbox.objects.get()
        assert (row.status, row.attempts) == (Outbox.Status.PENDING, attempt)
        assert error in row.last_error
        assert row.next_attempt_at == now + seconds(wait)
        assert run.next_due == row.next_attempt_at
        # Not due yet: nothing is tried.
        assert services.deliver_due(now=now + seconds(wait - 1)).failed == 0
        now += seconds(wait)
    assert len(robot.received) == 3
    robot.mode = "ok"
    run = services.deliver_due(now=now)
    assert run.sent == 1
    row = Outbox.objects.get()
    assert (row.status, row.attempts, row.last_error) == (Outbox.Status.SENT, 4, "")
    assert list(DeliveryAttempt.objects.order_by("id").values_list("ok", flat=True)) == [False, False, False, True]


def test_a_robot_that_is_down_costs_one_request_per_run_and_holds_the_others(robot, dingtalk, wecom, reporter_a,
                                                                              unit_a):
    robot.modes["wecom"] = "500"
    for n in range(3):
        _notify(unit_a, title=f"消息{n}")
    run = services.deliver_due(now=T0)
    assert (run.sent, run.failed, run.held) == (3, 1, 2)  # DingTalk unaffected
    assert robot.requests("wecom") == 1
    assert DeliveryAttempt.objects.filter(channel=wecom).count() == 1
    down = Outbox.objects.filter(channel=wecom).order_by("id")
    # The row that was sent is charged its attempt; the two held behind it are not, and wait for the same retry.
    assert list(down.values_list("status", "attempts", "next_attempt_at")) == [
        (Outbox.Status.PENDING, 1, T0 + seconds(60)),
        (Outbox.Status.PENDING, 0, T0 + seconds(60)),
        (Outbox.Status.PENDING, 0, T0 + seconds(60)),
    ]
    assert "本轮未发送" in down[1].last_error and "HTTP 500" in down[1].last_error
    # It comes back: every row is delivered, in order.
    del robot.modes["wecom"]
    assert services.deliver_due(now=T0 + seconds(60)).sent == 3
    assert [t.split("\n")[0] for t in robot.texts("wecom")[1:]] == ["【交办】消息0", "【交办】消息1", "【交办】消息2"]
    assert list(down.values_list("attempts", flat=True)) == [2, 1, 1]


@pytest.mark.parametrize("later", [(), (1.5, 4, 7.25, 9.9)])
def test_robot_down_for_ten_hours_then_back_loses_nothing(robot, wecom, reporter_a, unit_a, later):
    """Driven like the worker: a run when the previous run said something falls due, and one when a notification
    is written (notify() enqueues a run on commit). `later`: hours at which more notifications arrive."""
    down_until = T0 + datetime.timedelta(hours=10)
    arrivals = [T0, T0, T0] + [T0 + datetime.timedelta(hours=h) for h in later]
    total = len(arrivals)
    robot.mode = "500"
    now, runs_while_down, runs = T0, 0, 0
    while True:
        while arrivals and arrivals[0] <= now:
            _notify(unit_a, title=f"第{Outbox.objects.count() + 1}条", now=arrivals.pop(0))
        if now >= down_until:
            robot.mode = "ok"
        before = robot.requests()
        run = services.deliver_due(now=now)
        runs += 1
        if now < down_until:
            runs_while_down += 1
            assert robot.requests() - before == 1  # one real request per run while the robot is down
            assert (run.sent, run.failed, run.given_up) == (0, 1, 0)
        # Only real requests are charged: every row's attempts are its recorded tries.
        for row in Outbox.objects.all():
            assert row.attempts == DeliveryAttempt.objects.filter(outbox=row).count()
        assert not Outbox.objects.filter(status=Outbox.Status.FAILED).exists()
        following = [t for t in (run.next_due, arrivals[0] if arrivals else None) if t is not None]
        if not following:
            break
        assert following and min(following) > now
        now = min(following)
        assert runs < 200
    assert Outbox.objects.count() == total
    assert set(Outbox.objects.values_list("status", flat=True)) == {Outbox.Status.SENT}
    assert len(robot.texts("wecom")) == runs_while_down + total  # the failed requests, then each row once
    assert sorted(robot.texts("wecom")[runs_while_down:]) == sorted(
        f"【交办】第{n}条\n请于11月30日前办结。\n查看：/coordination/problems/7/" for n in range(1, total + 1)
    )
    # Backoff capped at an hour: the robot is probed at least hourly (and back within the hour after it is).
    tries = sorted(DeliveryAttempt.objects.values_list("at", flat=True))
    assert all(b - a <= services.BACKOFF_CAP for a, b in itertools.pairwise(tries))
    assert max(Outbox.objects.values_list("sent_at", flat=True)) < down_until + services.BACKOFF_CAP
    # The rows written at T0 and held behind the one probed were never charged while the robot was down.
    first_three = Outbox.objects.order_by("id")[:3]
    assert [r.attempts for r in first_three][1:] == [1, 1]
    if not later:
        # Probes at 0, 1, 3, 7, 15, 31, 63 minutes, then hourly (123 … 543); back at 603 minutes.
        assert runs_while_down == 15 and runs == 16
        assert max(Outbox.objects.values_list("sent_at", flat=True)) == T0 + datetime.timedelta(minutes=603)


@pytest.mark.parametrize("setting, limit", [(None, datetime.timedelta(days=3)), (0.5, datetime.timedelta(hours=12))])
def test_gives_up_when_older_than_the_limit_then_retry_button_delivers(robot, wecom, reporter_a, unit_a, coordinator,
                                                                       settings, setting, limit):
    if setting is not None:
        settings.NOTIFICATION_GIVE_UP_AFTER = setting
    assert services.give_up_after() == limit
    robot.mode = "500"
    _notify(unit_a, title="甲")
    _notify(unit_a, title="乙")  # always held behind 甲
    first, second = Outbox.objects.order_by("id")
    now, runs = T0, 0
    while True:
        run = services.deliver_due(now=now)
        runs += 1
        first.refresh_from_db()
        if now - T0 < limit:
            assert first.status == Outbox.Status.PENDING and run.given_up == 0
        else:
            break
        now = run.next_due
    # Given up at the first try past the limit, at most an hour (the backoff cap) late.
    assert limit <= now - T0 < limit + services.BACKOFF_CAP
    assert (first.status, first.attempts) == (Outbox.Status.FAILED, runs)
    assert "HTTP 500" in first.last_error and "不再自动重试" in first.last_error
    second.refresh_from_db()
    assert (second.status, second.attempts) == (Outbox.Status.FAILED, 0)  # never sent, never charged
    assert "HTTP 500" in second.last_error and "不再自动重试" in second.last_error
    assert (run.failed, run.held, run.given_up, run.next_due) == (1, 0, 2, None)
    assert robot.requests() == runs
    assert services.deliver_due(now=now + services.BACKOFF_CAP).failed == 0  # failed rows are left alone
    # Listed on the channels page; the retry button sends them once the robot is back.
    robot.mode = "ok"
    assert services.retry_outbox(rows=[first, second], by=coordinator, now=now) == 2
    assert services.deliver_due(now=now).sent == 2
    assert set(Outbox.objects.values_list("status", flat=True)) == {Outbox.Status.SENT}


def test_rate_limit_20_per_minute_per_robot_burst_of_50_takes_three_windows(robot, dingtalk, wecom, reporter_a,
                                                                            unit_a):
    with transaction.atomic():
        for n in range(50):
            _notify(unit_a, title=f"批量{n:02d}")
    sent_at = []
    for offset in (0, 30, 59, 60, 90, 120, 180):
        now = T0 + seconds(offset)
        run = services.deliver_due(now=now)
        sent_at.append((offset, run.sent))
    # 20 per robot at 0 s, none until the window has passed, 20 at 60 s, the last 10 at 120 s.
    assert sent_at == [(0, 40), (30, 0), (59, 0), (60, 40), (90, 0), (120, 20), (180, 0)]
    assert not Outbox.objects.exclude(status=Outbox.Status.SENT).exists()
    for robot_kind in ("dingtalk", "wecom"):
        assert sorted(robot.texts(robot_kind)) == sorted(
            f"【交办】批量{n:02d}\n请于11月30日前办结。\n查看：/coordination/problems/7/" for n in range(50)
        )
    # No robot ever got more than 20 in any 60 seconds.
    for channel in (dingtalk, wecom):
        times = sorted(DeliveryAttempt.objects.filter(channel=channel).values_list("at", flat=True))
        assert all(sum(1 for t in times if s <= t < s + seconds(60)) <= 20 for s in times)


def test_rate_limited_run_says_when_the_window_frees(robot, wecom, reporter_a, unit_a):
    for n in range(25):
        _notify(unit_a, title=f"批量{n}")
    run = services.deliver_due(now=T0 + seconds(5))
    assert (run.sent, run.deferred, run.next_due) == (20, 5, T0 + seconds(65))


def test_email_channel_uses_django_email_backend(reporter_a, unit_a):
    Channel.objects.create(type=Channel.Type.EMAIL, name="办公室邮箱", email_recipients="a@example.com\nb@example.com")
    _notify(unit_a)
    assert services.deliver_due(now=T0).sent == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@example.com", "b@example.com"]
    assert mail.outbox[0].subject == "【塔吊】东城镇智能装备产业园：用地指标问题已交办"


def test_email_failure_is_retried(monkeypatch, reporter_a, unit_a):
    Channel.objects.create(type=Channel.Type.EMAIL, name="办公室邮箱", email_recipients="a@example.com")

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("SMTP 服务器拒绝连接")

    monkeypatch.setattr(services, "send_mail", refuse)
    _notify(unit_a)
    assert services.deliver_due(now=T0).failed == 1
    assert "SMTP" in Outbox.objects.get().last_error
    monkeypatch.undo()
    assert services.deliver_due(now=T0 + seconds(60)).sent == 1


def test_disabled_channel_keeps_its_rows_until_enabled(robot, wecom, reporter_a, unit_a):
    _notify(unit_a)
    Channel.objects.filter(pk=wecom.pk).update(enabled=False)
    assert services.deliver_due(now=T0).sent == 0
    Channel.objects.filter(pk=wecom.pk).update(enabled=True)
    assert services.deliver_due(now=T0).sent == 1


def test_commit_enqueues_the_worker_task_which_delivers(robot, wecom, reporter_a, unit_a, settings,
                                                        django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        _notify(unit_a, now=None)
    assert len(callbacks) == 1
    assert robot.texts("wecom")[0].startswith("【交办】东城镇")
    assert Outbox.objects.get().status == Outbox.Status.SENT


def test_rollback_sends_nothing(robot, wecom, reporter_a, unit_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            _notify(unit_a)
            raise RuntimeError
    assert callbacks == []
    assert not Outbox.objects.exists() and not Message.objects.exists()
    assert robot.received == []


def test_worker_books_one_later_run_while_rows_wait(robot, wecom, reporter_a, unit_a, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    robot.mode = "500"
    _notify(unit_a, now=timezone.now() - datetime.timedelta(hours=1))  # long due
    services.deliver_from_worker()
    services.deliver_from_worker()  # a second run books no second task
    queued = DBTaskResult.objects.filter(task_path=tasks.deliver_notifications_task.module_path, status="READY")
    assert queued.count() == 1
    row = Outbox.objects.get()
    assert row.attempts == 1 and queued.get().run_after == row.next_attempt_at


def test_management_command_delivers(robot, wecom, reporter_a, unit_a, capsys):
    _notify(unit_a, now=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    call_command("deliver_notifications")
    assert "发送成功 1 条" in capsys.readouterr().out
    assert Outbox.objects.get().status == Outbox.Status.SENT
