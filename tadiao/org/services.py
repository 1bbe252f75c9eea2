"""Writes of the organisation: regions, units, leaders, users and their roles.

Every write runs in one transaction with its audit event. Users are never deleted (audit events point at
them): they are deactivated instead.
"""

import secrets
import string
from collections.abc import Iterable
from typing import Any, cast

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Field, Model, Value
from django.db.models.functions import Concat, Substr

from tadiao.audit import services as audit
from tadiao.audit.models import AuditEvent
from tadiao.org.models import EXCLUSIVE_ROLES, ROLE_FIELDS, Leader, Region, Role, Unit, User

ROLE_SEPARATION_MESSAGE = "系统管理员和审计管理员不能兼任其他角色（三员分立）"


class OrgError(Exception):
    """A refused organisation change. `message` is what the administrator reads; `field` names the form
    field it belongs to (None: the whole form)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RoleSeparationError(OrgError):
    """The system or audit administrator role combined with another role (三员分立)."""

    def __init__(self) -> None:
        super().__init__(ROLE_SEPARATION_MESSAGE, field="roles")


# ---------------------------------------------------------------------------------------------------
# Helpers


def _snap(obj: Model, fields: list[str]) -> dict[str, Any]:
    """`audit.snapshot` with choice fields as their Chinese labels, as the auditor reads them."""
    values = audit.snapshot(obj, fields)
    for name in fields:
        field = cast(Field[Any, Any], obj._meta.get_field(name))  # `fields` are the model's own, no reverse relation
        if field.choices and not field.is_relation:
            values[name] = getattr(obj, f"get_{name}_display")()
    return values


def _created(values: dict[str, Any]) -> dict[str, list[Any]]:
    """The changes of a newly created object: each filled-in field as [None, value]."""
    return {k: v for k, v in audit.diff({}, values).items() if v[1] not in (None, "", [])}


# ---------------------------------------------------------------------------------------------------
# Regions

REGION_FIELDS = ["code", "name", "level", "parent", "path"]
LEVEL_ORDER = [Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY, Region.Level.TOWNSHIP]
# How many leading digits of a parent's code its children share (GB/T 2260: 2 province, 2 city, 2 county).
LEVEL_PREFIX = {Region.Level.PROVINCE: 2, Region.Level.CITY: 4, Region.Level.COUNTY: 6}


def _check_region(*, region: Region | None, code: str, level: str, parent: Region | None) -> None:
    """Refuses a code, level or parent that does not fit the tree. `region` is None when creating."""
    if not code.isdigit():
        raise OrgError("区划代码只能由数字组成。", field="code")
    if level == Region.Level.TOWNSHIP and len(code) != 12:
        raise OrgError("乡镇（街道）使用 12 位统计用区划代码，例如 330182001000。", field="code")
    if level != Region.Level.TOWNSHIP and len(code) != 6:
        raise OrgError("县级及以上区划使用 6 位 GB/T 2260 代码，例如 330182。", field="code")
    same_code = Region.objects.filter(code=code)
    if region is not None:
        same_code = same_code.exclude(pk=region.pk)
    if same_code.exists():
        raise OrgError(f"区划代码 {code} 已存在。", field="code")
    if region is not None:
        child_levels = region.children.values_list("level", flat=True)
        if any(LEVEL_ORDER.index(Region.Level(lv)) <= LEVEL_ORDER.index(Region.Level(level)) for lv in child_levels):
            raise OrgError("该区划的下级区划层级不能高于或等于它本身。", field="level")

    if parent is None:
        roots = Region.objects.filter(parent__isnull=True)
        if region is not None:
            roots = roots.exclude(pk=region.pk)
        if root := roots.first():
            raise OrgError(f"一个系统只有一个顶级区划（现为 {root.name}），请选择上级区划。", field="parent")
        return
    if region is not None and parent.path.startswith(region.path):
        raise OrgError("上级区划不能是该区划本身或其下级。", field="parent")
    if LEVEL_ORDER.index(Region.Level(level)) <= LEVEL_ORDER.index(Region.Level(parent.level)):
        raise OrgError(
            f"层级“{Region.Level(level).label}”不能设在“{parent.get_level_display()}”{parent.name}之下。", field="level"
        )
    prefix = parent.code[: LEVEL_PREFIX.get(Region.Level(parent.level), 6)]
    if not code.startswith(prefix):
        raise OrgError(f"区划代码应以上级区划 {parent.name}（{parent.code}）的前缀 {prefix} 开头。", field="code")


def create_region(*, by: User, code: str, name: str, level: str, parent: Region | None) -> Region:
    """A new region below `parent` (None: the deployment's root region)."""
    with transaction.atomic():
        _check_region(region=None, code=code, level=level, parent=parent)
        region = Region(code=code, name=name, level=level, parent=parent,
                        path=f"{parent.path if parent else '/'}{code}/")
        region.save()
        audit.record(actor=by, action="org.region.created", obj=region, changes=_created(_snap(region, REGION_FIELDS)))
    return region


def update_region(*, region: Region, by: User, code: str, name: str, level: str, parent: Region | None) -> Region:
    """Edits a region. A new code or parent moves the whole subtree: every descendant's `path` is
    rewritten by one UPDATE, so the prefix match that scopes units and projects stays right."""
    with transaction.atomic():
        region = Region.objects.select_for_update().get(pk=region.pk)
        old = _snap(region, REGION_FIELDS)
        moved = code != region.code or (parent.pk if parent else None) != region.parent_id
        if moved or level != region.level:
            _check_region(region=region, code=code, level=level, parent=parent)
        old_path = region.path
        new_path = f"{parent.path if parent else '/'}{code}/"
        region.code, region.name, region.level, region.parent, region.path = code, name, level, parent, new_path
        region.save(update_fields=["code", "name", "level", "parent", "path"])
        moved_count = 0
        if new_path != old_path:
            moved_count = (
                Region.objects.filter(path__startswith=old_path)
                .exclude(pk=region.pk)
                .update(path=Concat(Value(new_path), Substr("path", len(old_path) + 1), output_field=CharField()))
            )
        changes = audit.diff(old, _snap(region, REGION_FIELDS))
        if changes:
            audit.record(actor=by, action="org.region.updated", obj=region, changes=changes,
                         message=f"同时更新了 {moved_count} 个下级区划的路径" if moved_count else "")
    return region


# ---------------------------------------------------------------------------------------------------
# Units

UNIT_FIELDS = ["name", "kind", "region", "display_order", "is_active"]


def _check_unit_name(name: str, unit: Unit | None = None) -> None:
    same = Unit.objects.filter(name=name)
    if unit is not None:
        same = same.exclude(pk=unit.pk)
    if same.exists():
        raise OrgError(f"单位“{name}”已存在。", field="name")


def create_unit(*, by: User, name: str, kind: str, region: Region, display_order: int = 0) -> Unit:
    with transaction.atomic():
        _check_unit_name(name)
        unit = Unit(name=name, kind=kind, region=region, display_order=display_order, is_active=True)
        unit.save()
        audit.record(actor=by, action="org.unit.created", obj=unit, changes=_created(_snap(unit, UNIT_FIELDS)))
    return unit


def update_unit(*, unit: Unit, by: User, name: str, kind: str, region: Region, display_order: int,
                is_active: bool) -> Unit:
    """Edits a unit; switching it off is recorded as "org.unit.deactivated" (on again: "reactivated")."""
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        _check_unit_name(name, unit)
        old = _snap(unit, UNIT_FIELDS)
        was_active = unit.is_active
        unit.name, unit.kind, unit.region, unit.display_order, unit.is_active = (
            name, kind, region, display_order, is_active)
        unit.save(update_fields=UNIT_FIELDS)
        changes = audit.diff(old, _snap(unit, UNIT_FIELDS))
        if changes:
            action = "org.unit.updated"
            if was_active != is_active:
                action = "org.unit.reactivated" if is_active else "org.unit.deactivated"
            audit.record(actor=by, action=action, obj=unit, changes=changes)
    return unit


def deactivate_unit(*, unit: Unit, by: User) -> Unit:
    """Switches a unit off: it keeps its projects and history but is no longer offered for new data."""
    return update_unit(unit=unit, by=by, name=unit.name, kind=unit.kind, region=unit.region,
                       display_order=unit.display_order, is_active=False)


# ---------------------------------------------------------------------------------------------------
# Leaders

LEADER_FIELDS = ["name", "title", "display_order", "is_active"]


def _check_leader(name: str, title: str, leader: Leader | None = None) -> None:
    same = Leader.objects.filter(name=name, title=title)
    if leader is not None:
        same = same.exclude(pk=leader.pk)
    if same.exists():
        raise OrgError(f"领导“{name}（{title}）”已存在。", field="name")


def create_leader(*, by: User, name: str, title: str, display_order: int = 0) -> Leader:
    with transaction.atomic():
        _check_leader(name, title)
        leader = Leader(name=name, title=title, display_order=display_order, is_active=True)
        leader.save()
        audit.record(actor=by, action="org.leader.created", obj=leader,
                     changes=_created(_snap(leader, LEADER_FIELDS)))
    return leader


def update_leader(*, leader: Leader, by: User, name: str, title: str, display_order: int,
                  is_active: bool) -> Leader:
    with transaction.atomic():
        leader = Leader.objects.select_for_update().get(pk=leader.pk)
        _check_leader(name, title, leader)
        old = _snap(leader, LEADER_FIELDS)
        leader.name, leader.title, leader.display_order, leader.is_active = name, title, display_order, is_active
        leader.save(update_fields=LEADER_FIELDS)
        changes = audit.diff(old, _snap(leader, LEADER_FIELDS))
        if changes:
            audit.record(actor=by, action="org.leader.updated", obj=leader, changes=changes)
    return leader


# ---------------------------------------------------------------------------------------------------
# Users

USER_FIELDS = ["username", "full_name", "phone", "unit", "leader", "is_active"]
PROFILE_FIELDS = ["full_name", "phone", "unit", "leader"]
# No 0/O, 1/l/I: the administrator reads the password out or copies it by hand.
PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
PASSWORD_LENGTH = 12


def check_roles(roles: Iterable[str], *, unit: Unit | None = None) -> list[Role]:
    """The roles as `Role` values; refuses none, an unknown one, a combination that breaks 三员分立, and a
    reporter without a unit."""
    chosen = []
    for role in roles:
        if role not in Role.values:
            raise OrgError(f"未知角色：{role}", field="roles")
        chosen.append(Role(role))
    if not chosen:
        raise OrgError("请至少选择一个角色。", field="roles")
    if len(chosen) > 1 and any(role in EXCLUSIVE_ROLES for role in chosen):
        raise RoleSeparationError()
    if Role.REPORTER in chosen and unit is None:
        raise OrgError("填报员必须属于一个单位。", field="unit")
    return chosen


def _role_labels(roles: Iterable[Role]) -> str:
    chosen = set(roles)
    return "、".join(role.label for role in Role if role in chosen)


def generate_password() -> str:
    """A random 12-character password with upper- and lower-case letters and digits."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        if (any(c.islower() for c in password) and any(c.isupper() for c in password)
                and any(c.isdigit() for c in password)):
            return password


def _set_roles(user: User, roles: Iterable[Role]) -> None:
    chosen = set(roles)
    for role, field in ROLE_FIELDS.items():
        setattr(user, field, role in chosen)


def create_user(*, by: User, username: str, full_name: str, phone: str = "", unit: Unit | None,
                leader: Leader | None = None, roles: Iterable[str]) -> tuple[User, str]:
    """A new account with a generated password, returned once so the administrator can hand it over."""
    chosen = check_roles(roles, unit=unit)
    username = username.strip()
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise OrgError("用户名只能包含字母、数字和 @/./+/-/_ 字符。", field="username") from exc
    password = generate_password()
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise OrgError(f"用户名“{username}”已被使用。", field="username")
        user = User(username=username, full_name=full_name, phone=phone, unit=unit, leader=leader, is_active=True,
                    must_change_password=True)
        _set_roles(user, chosen)
        user.set_password(password)
        user.save()
        changes = _created(_snap(user, USER_FIELDS))
        changes["roles"] = [None, _role_labels(chosen)]
        audit.record(actor=by, action="org.user.created", obj=user, changes=changes)
    return user, password


def update_user(*, user: User, by: User, full_name: str, phone: str, unit: Unit | None,
                leader: Leader | None, roles: Iterable[str]) -> User:
    """Edits a user's profile, unit and roles. A change of roles is its own event, "org.user.roles_changed",
    so that the auditor can list every grant of a privilege."""
    chosen = check_roles(roles, unit=unit)
    if user.pk == by.pk and user.is_sysadmin and Role.SYSADMIN not in chosen:
        raise OrgError("不能取消自己的系统管理员角色，请由另一位系统管理员操作。", field="roles")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        old_profile = _snap(user, PROFILE_FIELDS)
        old_roles = user.role_labels
        user.full_name, user.phone, user.unit, user.leader = full_name, phone, unit, leader
        _set_roles(user, chosen)
        user.save(update_fields=[*PROFILE_FIELDS, *ROLE_FIELDS.values()])
        profile_changes = audit.diff(old_profile, _snap(user, PROFILE_FIELDS))
        if profile_changes:
            audit.record(actor=by, action="org.user.updated", obj=user, changes=profile_changes)
        if old_roles != user.role_labels:
            audit.record(actor=by, action="org.user.roles_changed", obj=user,
                         changes={"roles": [old_roles, user.role_labels]})
    return user


def reset_password(*, user: User, by: User) -> str:
    """Gives the user a new random password (returned once, to be handed over), which they must change at their
    next login, and lifts any login lockout."""
    password = generate_password()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        cleared = axes_reset(username=user.username.lower())
        audit.record(actor=by, action="org.user.password_reset", obj=user,
                     message=(f"已生成新密码（首次登录须修改）；解除登录锁定记录 {cleared} 条" if cleared
                              else "已生成新密码（首次登录须修改）"))
    return password


class PasswordChangeError(OrgError):
    """A refused password change; `messages` are all the reasons (Django's validators can give several)."""

    def __init__(self, messages: list[str], *, field: str) -> None:
        super().__init__(" ".join(messages), field=field)
        self.messages = messages


def change_password(*, user: User, current_password: str, new_password: str) -> User:
    """The user's own password change: the current password first, then Django's validators and the 等保 rule
    (settings.AUTH_PASSWORD_VALIDATORS). Clears `must_change_password`. A wrong current password is audited as a
    failure (outside the refused transaction, so the event stays)."""
    if not user.check_password(current_password):
        audit.record(actor=user, action="org.user.password_change_failed", obj=user,
                     result=AuditEvent.Result.FAILURE, message="修改密码失败：当前密码不正确")
        raise PasswordChangeError(["当前密码不正确。"], field="current_password")
    if new_password == current_password:
        raise PasswordChangeError(["新密码不能与当前密码相同。"], field="new_password1")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise PasswordChangeError(list(exc.messages), field="new_password1") from exc
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        forced = user.must_change_password
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit.record(actor=user, action="org.user.password_changed", obj=user,
                     changes={"must_change_password": [True, False]} if forced else {},
                     message="首次登录修改初始密码" if forced else "用户自行修改密码")
    return user


def set_user_active(*, user: User, by: User, active: bool) -> User:
    """Deactivates (the account can no longer log in, its sessions stop working) or reactivates a user.
    Users are never deleted: audit events refer to them."""
    if user.pk == by.pk and not active:
        raise OrgError("不能停用自己的账号。")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active == active:
            return user
        user.is_active = active
        user.save(update_fields=["is_active"])
        cleared = axes_reset(username=user.username.lower()) if active else 0
        audit.record(actor=by, action="org.user.reactivated" if active else "org.user.deactivated", obj=user,
                     changes={"is_active": [not active, active]},
                     message=f"解除登录锁定记录 {cleared} 条" if cleared else "")
    return user
