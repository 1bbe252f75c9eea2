"""Forms of the indicator configuration: validate and normalise only."""

from typing import Any, cast

from django import forms

from tadiao.indicators.models import RateDefinition
from tadiao.indicators.selection import REACHED_KEYS, SelectionError, check_rate, describe
from tadiao.lib.forms import DateInput, bootstrap_widgets
from tadiao.projects.models import DERIVED_TAGS, Batch, BatchEntry, Category, Level, Nature, Stage, Tag

SIDES = {"den": ("denominator", "分母"), "num": ("numerator", "分子")}
PERIODS = [
    ("reached", "截至统计日"),
    ("reached_this_year", "本年内"),
    ("reached_this_quarter", "本季度内"),
    ("reached_this_month", "本月内"),
]
STAGES = [("", "不限"), *Stage.choices]
LISTS = {  # selection key: (label, choices or None when read from the database)
    "levels": ("项目级别（任一）", Level.choices),
    "categories": ("项目类别（任一）", Category.choices),
    "natures": ("建设性质（任一）", Nature.choices),
    "exclude_natures": ("排除建设性质", Nature.choices),
    "tags": ("标签（同时具有）", None),
    "batches": ("三个一批期次（任一）", None),
    "batch_kinds": ("三个一批类别（任一）", BatchEntry.Kind.choices),
}
FLAGS = {
    "in_year_plan": "列入本年度计划",
    "reported_this_year": "本年已报送投资完成额",
    "exclude_cancelled": "不含已终止项目",
}
# What the form builds; anything else a stored selection holds (any_of, a second stage condition) is kept as is.
FORM_KEYS = {*REACHED_KEYS, "not_reached", *LISTS, *FLAGS}


class RateDefinitionForm(forms.Form):
    """A rate built from choices: the projects of the denominator, and among them those of the numerator.

    `definition`: the stored one being edited (its code stays; conditions the form cannot show are kept)."""

    code = forms.SlugField(
        label="代码",
        max_length=60,
        help_text="英文字母、数字、下划线，例如 smart_start_rate",
        error_messages={"invalid": "代码只能包含英文字母、数字、下划线和连字符。", "required": "请填写代码。"},
    )
    name = forms.CharField(label="名称", max_length=60, error_messages={"required": "请填写名称。"})
    measure = forms.ChoiceField(
        label="口径",
        choices=RateDefinition.Measure.choices,
        help_text="投资额口径：分母项目的本年累计完成投资 / 年度计划投资，只需选择分母条件。",
    )
    description = forms.CharField(label="说明", max_length=300, required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args: Any, definition: RateDefinition | None = None, **kwargs: Any) -> None:
        self.definition = definition
        if definition is not None:
            kwargs["initial"] = initial_for(definition)
        super().__init__(*args, **kwargs)
        names = [*Tag.objects.values_list("name", flat=True), *DERIVED_TAGS]
        if definition is not None:  # a tag named by the definition but since deleted stays choosable
            for side, _ in SIDES.values():
                names += [t for t in (getattr(definition, side) or {}).get("tags", []) if t not in names]
        tags = [(name, name) for name in names]
        batches = [(str(b.number), str(b)) for b in Batch.objects.all()]
        for prefix, (_, side) in SIDES.items():
            self.fields[f"{prefix}_reached"] = forms.ChoiceField(
                label=f"{side}：已达到阶段", choices=STAGES, required=False
            )
            self.fields[f"{prefix}_period"] = forms.ChoiceField(
                label=f"{side}：达到的时间", choices=PERIODS, required=False, initial="reached"
            )
            self.fields[f"{prefix}_not_reached"] = forms.ChoiceField(
                label=f"{side}：尚未达到阶段", choices=STAGES, required=False
            )
            for key, (label, choices) in LISTS.items():
                options = {"tags": tags, "batches": batches}.get(key, choices)
                self.fields[f"{prefix}_{key}"] = forms.MultipleChoiceField(
                    label=f"{side}：{label}",
                    choices=options,  # type: ignore[arg-type]  # None only for tags and batches, given above
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    error_messages={"invalid_choice": "“%(value)s”不是可选的取值。"},
                )
            for key, label in FLAGS.items():
                self.fields[f"{prefix}_{key}"] = forms.BooleanField(label=f"{side}：{label}", required=False)
        if definition is not None:
            self.fields["code"].required = False
            self.fields["code"].disabled = True
            self.fields["code"].initial = definition.code
        else:
            del self.fields["is_active"]
        bootstrap_widgets(self)

    def side_fields(self, prefix: str) -> list:
        return [self[name] for name in self.fields if name.startswith(f"{prefix}_")]

    def sides(self) -> list[tuple[str, str, list]]:
        return [
            ("分母", "参与计算的项目范围（不选则为全部项目）", self.side_fields("den")),
            ("分子", "分母的项目中再满足以下条件的（投资额口径无需选择）", self.side_fields("num")),
        ]

    def kept(self, side: str) -> dict:
        """The stored conditions of `side` the form does not show; kept on save."""
        if self.definition is None:
            return {}
        stored = getattr(self.definition, side) or {}
        reached = [key for key in REACHED_KEYS if stored.get(key)]
        extra = {k: v for k, v in stored.items() if k not in FORM_KEYS}
        extra.update({key: stored[key] for key in reached[1:]})  # the form shows one stage-reached condition
        return extra

    def kept_text(self) -> dict:
        return {side: describe(kept) for side, kept in ((s, self.kept(s)) for s, _ in SIDES.values()) if kept}

    def _selection(self, prefix: str, side: str) -> dict:
        data = self.cleaned_data
        stored = (getattr(self.definition, side) or {}) if self.definition is not None else {}
        selection: dict = {}
        if stage := data.get(f"{prefix}_reached"):
            selection[data.get(f"{prefix}_period") or "reached"] = stage
        if stage := data.get(f"{prefix}_not_reached"):
            selection["not_reached"] = stage
        for key in LISTS:
            values = data.get(f"{prefix}_{key}") or []
            if key == "batches":
                values = [int(v) for v in values]
            if values:
                # The stored order when the same values are chosen: an unchanged form changes nothing.
                selection[key] = stored[key] if set(stored.get(key) or []) == set(values) else values
        for key in FLAGS:
            if data.get(f"{prefix}_{key}"):
                selection[key] = True
        selection.update(self.kept(side))
        return selection

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())  # Form.clean returns cleaned_data, never None
        if self.errors:
            return cleaned
        for prefix, (side, _) in SIDES.items():
            cleaned[side] = self._selection(prefix, side)
        try:
            check_rate(measure=cleaned["measure"], numerator=cleaned["numerator"], denominator=cleaned["denominator"])
        except SelectionError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if self.definition is not None:
            cleaned["code"] = self.definition.code
        return cleaned

    def values(self) -> dict:
        """The cleaned values the services take."""
        names = ["name", "measure", "numerator", "denominator", "description"]
        if self.definition is not None:
            names.append("is_active")
        else:
            names.append("code")
        return {name: self.cleaned_data[name] for name in names}


def initial_for(definition: RateDefinition) -> dict:
    """The form's initial values from a stored definition."""
    initial = {
        "code": definition.code,
        "name": definition.name,
        "measure": definition.measure,
        "description": definition.description,
        "is_active": definition.is_active,
    }
    for prefix, (side, _) in SIDES.items():
        stored = getattr(definition, side) or {}
        reached = next((key for key in REACHED_KEYS if stored.get(key)), None)
        if reached:
            initial[f"{prefix}_reached"] = stored[reached]
            initial[f"{prefix}_period"] = reached
        initial[f"{prefix}_not_reached"] = stored.get("not_reached", "")
        for key in LISTS:
            initial[f"{prefix}_{key}"] = [str(v) for v in stored.get(key) or []]
        for key in FLAGS:
            initial[f"{prefix}_{key}"] = bool(stored.get(key))
    return initial


class TargetForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    rate = forms.ModelChoiceField(label="指标", queryset=RateDefinition.objects.filter(is_active=True))
    level = forms.ChoiceField(label="项目级别", choices=[("", "全部级别"), *Level.choices], required=False)
    deadline = forms.DateField(label="时限", widget=DateInput())
    percent = forms.DecimalField(
        label="目标值（%）",
        min_value=0,
        max_value=100,
        decimal_places=2,
        error_messages={"max_value": "目标值应在 0–100 之间。", "min_value": "目标值应在 0–100 之间。"},
    )


class WarningRuleForm(forms.Form):
    yellow = forms.DecimalField(label="黄灯阈值", required=False, max_digits=8, decimal_places=2, min_value=0)
    red = forms.DecimalField(label="红灯阈值", required=False, max_digits=8, decimal_places=2, min_value=0)
    streak_months = forms.IntegerField(label="连续月数", required=False, min_value=1, max_value=12)
    levels = forms.MultipleChoiceField(label="适用级别", choices=Level.choices, required=False)
    is_active = forms.BooleanField(label="启用", required=False)
