"""Delivery of the outbox to a real HTTP server on 127.0.0.1 playing the robots: signature, failures, backoff,
recovery, giving up and retrying, the rate limit with a controlled clock, email, and the worker task."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
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


def test_wrong_secret_is_an_errcode_failure(robot, dingtalk, reporter_a, unit_a):
    Channel.objects.filter(pk=dingtalk.pk).update(secret="SECwrong")
    _notify(unit_a)
    run = services.deliver_due(now=T0)
    assert (run.sent, run.failed) == (0, 1)
    row = Outbox.objects.get()
    assert row.status == Outbox.Status.PENDING
    assert "310000" in row.last_error and "sign not match" in row.last_error


@pytest.mark.parametrize("mode, error", [("500", "HTTP 500"), ("errcode", "errcode 310000"), ("timeout", "超时")])
def test_failure_backs_off_exponentially_then_recovers(robot, wecom, reporter_a, unit_a, mode, error):
    robot.mode = mode
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


def test_gives_up_after_max_attempts_then_retry_button_delivers(robot, wecom, reporter_a, unit_a, coordinator):
    robot.mode = "500"
    _notify(unit_a)
    now = T0
    for _ in range(services.MAX_ATTEMPTS):
        services.deliver_due(now=now)
        now += services.BACKOFF_CAP
    row = Outbox.objects.get()
    assert (row.status, row.attempts) == (Outbox.Status.FAILED, services.MAX_ATTEMPTS)
    assert services.deliver_due(now=now + services.BACKOFF_CAP).failed == 0  # failed rows are left alone
    robot.mode = "ok"
    assert services.retry_outbox(rows=[row], by=coordinator, now=now) == 1
    assert services.deliver_due(now=now).sent == 1
    assert Outbox.objects.get().status == Outbox.Status.SENT


def test_a_robot_that_is_down_costs_one_request_per_run_and_holds_the_others(robot, dingtalk, wecom, reporter_a,
                                                                              unit_a):
    Channel.objects.filter(pk=wecom.pk).update(webhook_url=f"{robot.base}/missing")  # → 404 from this robot
    for n in range(3):
        _notify(unit_a, title=f"消息{n}")
    run = services.deliver_due(now=T0)
    assert run.sent == 3  # DingTalk unaffected
    assert run.failed == 3
    assert len([r for r in robot.received if r["robot"] == ""]) == 1
    down = Outbox.objects.filter(channel=wecom)
    assert set(down.values_list("status", "attempts", "next_attempt_at")) == {
        (Outbox.Status.PENDING, 1, T0 + seconds(60))
    }
    # It comes back: every row is delivered, in order.
    Channel.objects.filter(pk=wecom.pk).update(webhook_url=robot.wecom_url)
    assert services.deliver_due(now=T0 + seconds(60)).sent == 3
    assert [t.split("\n")[0] for t in robot.texts("wecom")] == ["【交办】消息0", "【交办】消息1", "【交办】消息2"]


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
    _notify(unit_a, now=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))  # long due
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
