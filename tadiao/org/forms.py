"""Forms of the organisation pages: they validate and normalise input; the rules live in services."""

from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import RegexValidator
from django.db.models import Q

from tadiao.lib.forms import bootstrap_widgets
from tadiao.org import services
from tadiao.org.models import Leader, Region, Role, Unit, User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。请注意密码区分大小写。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    username = forms.CharField(label="用户名", max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)


class BootstrapForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self, small=False)


class RegionChoiceField(forms.ModelChoiceField):
    """Regions as an indented tree: 　　东城镇（330182001000）."""

    def label_from_instance(self, obj: Region) -> str:
        depth = max(obj.path.count("/") - 2, 0)
        return f"{'　' * depth}{obj.name}（{obj.code}）"


# ---------------------------------------------------------------------------------------------------
# Regions

class RegionForm(BootstrapForm):
    code = forms.CharField(
        label="区划代码", max_length=12,
        validators=[RegexValidator(r"^([0-9]{6}|[0-9]{12})$",
                                   "区划代码应为 6 位（县级及以上）或 12 位（乡镇街道）数字。")],
        help_text="县级及以上为 6 位 GB/T 2260 代码，乡镇（街道）为 12 位统计用区划代码。",
    )
    name = forms.CharField(label="名称", max_length=50)
    level = forms.ChoiceField(label="层级", choices=Region.Level.choices)
    parent = RegionChoiceField(label="上级区划", queryset=Region.objects.none(), required=False,
                               empty_label="（无：顶级区划）")

    def __init__(self, *args: Any, region: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Region.objects.exclude(level=Region.Level.TOWNSHIP).order_by("path")
        if region is not None:  # a region cannot move below itself
            parents = parents.exclude(path__startswith=region.path)
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = parents

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


# ---------------------------------------------------------------------------------------------------
# Units

UNIT_SORTS = {"order": "排序", "name": "名称"}


class UnitFilterForm(BootstrapForm):
    q = forms.CharField(label="单位名称", required=False, max_length=100)
    kind = forms.ChoiceField(label="单位类型", required=False, choices=[("", "全部类型"), *Unit.Kind.choices])
    sort = forms.ChoiceField(label="排序方式", required=False, choices=list(UNIT_SORTS.items()))


class UnitForm(BootstrapForm):
    name = forms.CharField(label="单位名称", max_length=100)
    kind = forms.ChoiceField(label="单位类型", choices=Unit.Kind.choices)
    region = RegionChoiceField(label="所属区划", queryset=Region.objects.none())
    display_order = forms.IntegerField(label="排序", min_value=0, max_value=2_147_483_647, initial=0,
                                       help_text="数字小的排在前面。")
    is_active = forms.BooleanField(label="启用", required=False, initial=True,
                                   help_text="停用的单位保留历史数据，但不再出现在新数据的选项中。")

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = Region.objects.order_by("path")
        if creating:
            del self.fields["is_active"]

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


# ---------------------------------------------------------------------------------------------------
# Leaders

class LeaderForm(BootstrapForm):
    name = forms.CharField(label="姓名", max_length=30)
    title = forms.CharField(label="职务", max_length=100, help_text="例如：市委副书记、副市长")
    display_order = forms.IntegerField(label="排序", min_value=0, max_value=2_147_483_647, initial=0)
    is_active = forms.BooleanField(label="在任", required=False, initial=True)

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["is_active"]

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()


# ---------------------------------------------------------------------------------------------------
# Users

class UserFilterForm(BootstrapForm):
    q = forms.CharField(label="用户名或姓名", required=False, max_length=150)
    role = forms.ChoiceField(label="角色", required=False, choices=[("", "全部角色"), *Role.choices])


class UserForm(BootstrapForm):
    username = forms.CharField(label="用户名", max_length=150, help_text="登录用，创建后不能修改。")
    full_name = forms.CharField(label="姓名", max_length=30)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    unit = forms.ModelChoiceField(label="所属单位", queryset=Unit.objects.none(), required=False,
                                  empty_label="（无）")
    leader = forms.ModelChoiceField(label="对应领导", queryset=Leader.objects.none(), required=False,
                                    empty_label="（无）", help_text="角色为“领导”的账号可关联领导名单中的一位。")
    roles = forms.MultipleChoiceField(
        label="角色", choices=Role.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个角色。"},
        help_text="系统管理员和审计管理员只能单独担任（三员分立）。",
    )

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only active units and leaders are offered, plus the ones the user already has.
        current_unit = user.unit_id if user is not None else None
        current_leader = user.leader_id if user is not None else None
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = Unit.objects.filter(
            Q(is_active=True) | Q(pk=current_unit)).order_by("display_order", "id")
        cast(forms.ModelChoiceField, self.fields["leader"]).queryset = Leader.objects.filter(
            Q(is_active=True) | Q(pk=current_leader)).order_by("display_order", "id")
        if user is not None:
            del self.fields["username"]

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip()

    def clean_full_name(self) -> str:
        return self.cleaned_data["full_name"].strip()

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())  # Form.clean returns cleaned_data, never None
        if "roles" in cleaned:
            try:
                services.check_roles(cleaned["roles"], unit=cleaned.get("unit"))
            except services.OrgError as exc:
                self.add_error(exc.field, exc.message)
        return cleaned


# ---------------------------------------------------------------------------------------------------
# The user's own password

class PasswordChangeForm(BootstrapForm):
    """Checks only that the new password was typed twice alike; the service checks the current password and
    the password rules."""

    current_password = forms.CharField(label="当前密码", strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password1 = forms.CharField(label="新密码", strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                    help_text=password_validation.password_validators_help_text_html())
    new_password2 = forms.CharField(label="再次输入新密码", strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())  # Form.clean returns cleaned_data, never None
        if cleaned.get("new_password1") and cleaned.get("new_password2") and (
                cleaned["new_password1"] != cleaned["new_password2"]):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return cleaned
