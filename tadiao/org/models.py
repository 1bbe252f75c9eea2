"""Regions, units, leaders and users with their roles: the organisation every access gate builds on."""

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class Region(models.Model):
    """An administrative division (行政区划) identified by its GB/T 2260 code, in a tree."""

    class Level(models.TextChoices):
        PROVINCE = "PROVINCE", "省"
        CITY = "CITY", "市"
        COUNTY = "COUNTY", "县（市、区）"
        TOWNSHIP = "TOWNSHIP", "乡镇（街道）"

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name="上级区划", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    # Materialised path of codes ("/330000/330100/330182/"): a whole subtree is one indexed prefix match.
    path = models.CharField("路径", max_length=255, db_index=True, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        constraints = [
            models.CheckConstraint(
                name="region_code_6_or_12_digits",
                condition=Q(code__regex=r"^([0-9]{6}|[0-9]{12})$"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A reporting unit (单位): township, street, department, park or state-owned platform."""

    class Kind(models.TextChoices):
        TOWNSHIP = "TOWNSHIP", "乡镇"
        STREET = "STREET", "街道"
        DEPARTMENT = "DEPARTMENT", "部门"
        PARK = "PARK", "园区"
        SOE = "SOE", "国企"

    name = models.CharField("单位名称", max_length=100, unique=True)
    kind = models.CharField("单位类型", max_length=12, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="units")
    display_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["display_order", "id"]
        verbose_name = "单位"
        verbose_name_plural = "单位"

    def __str__(self) -> str:
        return self.name


class Leader(models.Model):
    """A leader (领导) who personally follows projects and decides escalated problems."""

    name = models.CharField("姓名", max_length=30)
    title = models.CharField("职务", max_length=100)
    display_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("在任", default=True)

    class Meta:
        ordering = ["display_order", "id"]
        verbose_name = "领导"
        verbose_name_plural = "领导"
        constraints = [models.UniqueConstraint(fields=["name", "title"], name="leader_name_title_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）"


class Role(models.TextChoices):
    REPORTER = "reporter", "填报员"
    COORDINATOR = "coordinator", "调度员"
    LEADER = "leader", "领导"
    SYSADMIN = "sysadmin", "系统管理员"
    AUDITOR = "auditor", "审计管理员"


# 三员分立: the system administrator and the audit administrator hold no other role.
ROLE_FIELDS = {
    Role.REPORTER: "is_reporter",
    Role.COORDINATOR: "is_coordinator",
    Role.LEADER: "is_leader",
    Role.SYSADMIN: "is_sysadmin",
    Role.AUDITOR: "is_auditor",
}
EXCLUSIVE_ROLES = (Role.SYSADMIN, Role.AUDITOR)


def _holds_only(field: str) -> Q:
    """Either the role is not held, or it is held alone."""
    alone = Q(**{field: True})
    for other in ROLE_FIELDS.values():
        if other != field:
            alone &= Q(**{other: False})
    return Q(**{field: False}) | alone


class TadiaoUserManager(UserManager["User"]):
    """Login names without case: DIAODU logs in as diaodu (the backend looks users up by natural key)."""

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    """A person who logs in; belongs to one unit and holds one or more roles."""

    full_name = models.CharField("姓名", max_length=30, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    unit = models.ForeignKey(Unit, verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="users")
    leader = models.ForeignKey(Leader, verbose_name="对应领导", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="users")
    is_reporter = models.BooleanField("填报员", default=False)
    is_coordinator = models.BooleanField("调度员", default=False)
    is_leader = models.BooleanField("领导", default=False)
    is_sysadmin = models.BooleanField("系统管理员", default=False)
    is_auditor = models.BooleanField("审计管理员", default=False)
    # Set for every generated password (new account, reset, first run): the middleware sends the user to the
    # password page until they chose their own.
    must_change_password = models.BooleanField("须修改密码", default=False)

    objects: ClassVar[TadiaoUserManager] = TadiaoUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(name="user_sysadmin_holds_no_other_role", condition=_holds_only("is_sysadmin")),
            models.CheckConstraint(name="user_auditor_holds_no_other_role", condition=_holds_only("is_auditor")),
            models.UniqueConstraint(Lower("username"), name="user_username_case_insensitive_unique",
                                    violation_error_message="用户名已被使用（不区分大小写）。"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def roles(self) -> list[Role]:
        return [role for role, field in ROLE_FIELDS.items() if getattr(self, field)]

    @property
    def role_labels(self) -> str:
        return "、".join(role.label for role in self.roles)
