"""Forms of the assessment scheme page: validate and normalise only (the rules themselves are checked by
tadiao.indicators.assessment.validate_rule in the service, which knows the item's kind and weight)."""

import json
from typing import Any, cast

from django import forms

from tadiao.indicators.models import AssessmentItem, AssessmentScheme
from tadiao.org.models import Unit


class RuleField(forms.CharField):
    """A scoring rule typed as JSON, e.g. {"method": "ratio", "measure": "rate:start_rate", "target": 75}."""

    widget = forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm font-monospace"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        # An empty box left empty is unchanged: Field.has_changed would count the to_python refusal as a change,
        # so an untouched blank row of the items would refuse the whole save.
        if not initial and not (data or "").strip():
            return False
        return super().has_changed(initial, data)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, dict):
            return value
        text = (value or "").strip()
        if not text:
            raise forms.ValidationError("请填写计分规则。")
        try:
            rule = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近有误。") from exc
        if not isinstance(rule, dict):
            raise forms.ValidationError("计分规则应为 JSON 对象（以 { 开头）。")
        return rule


def _small[W: forms.Widget](widget: W) -> W:
    widget.attrs.setdefault("class", "form-control form-control-sm")
    return widget


class SchemeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label="方案名称", max_length=60, widget=_small(forms.TextInput()))
    year = forms.IntegerField(
        label="适用年度",
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="留空表示各年度通用",
        widget=_small(forms.NumberInput()),
        error_messages={"min_value": "年度应在 2000–2100 之间。", "max_value": "年度应在 2000–2100 之间。"},
    )
    bottom_n = forms.IntegerField(
        label="约谈名额（末位 N 名）",
        min_value=0,
        max_value=100,
        widget=_small(forms.NumberInput()),
        error_messages={"min_value": "约谈名额应在 0–100 之间。", "max_value": "约谈名额应在 0–100 之间。"},
    )
    unit_kinds = forms.MultipleChoiceField(
        label="参加考评的单位类型",
        choices=Unit.Kind.choices,
        required=False,
        help_text="不选表示全部单位",
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label="说明", max_length=300, required=False, widget=_small(forms.TextInput()))
    is_active = forms.BooleanField(label="启用", required=False)


class ItemForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label="考评项目", max_length=30, widget=_small(forms.TextInput()))
    kind = forms.ChoiceField(
        label="类别",
        choices=AssessmentItem.Kind.choices,
        # What an untouched blank row's select shows and sends: with no initial, that row counts as changed and
        # its empty required fields refuse the whole save of the scheme.
        initial=AssessmentItem.Kind.choices[0][0],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    weight = forms.DecimalField(
        label="分值",
        max_digits=6,
        decimal_places=2,
        min_value=0.01,
        widget=_small(forms.NumberInput(attrs={"step": "0.01"})),
        error_messages={"min_value": "分值应大于 0。"},
    )
    display_order = forms.IntegerField(
        label="排序", min_value=0, initial=0, widget=_small(forms.NumberInput()), required=False
    )
    rule = RuleField(label="计分规则（JSON）")


class BaseItemFormSet(forms.BaseFormSet):
    def items(self) -> list[dict]:
        """The items kept (deleted and untouched extra rows left out), in the order typed."""
        kept = []
        for n, form in enumerate(self.forms):
            # _should_delete_form: a BaseFormSet method the stubs leave out (private in Django, but stable)
            if self._should_delete_form(form) or not (form.cleaned_data.get("id") or form.has_changed()):  # type: ignore[attr-defined]
                continue
            data = dict(form.cleaned_data)
            data.pop("DELETE", None)
            if data.get("display_order") is None:
                data["display_order"] = (n + 1) * 10
            kept.append(data)
        return kept


# cast: formset_factory returns a subclass of `formset`, the stubs say only of BaseFormSet.
ItemFormSet = cast(
    type[BaseItemFormSet], forms.formset_factory(ItemForm, formset=BaseItemFormSet, extra=2, can_delete=True)
)


class CopyForm(forms.Form):
    name = forms.CharField(label="新方案名称", max_length=60, widget=_small(forms.TextInput()))
    year = forms.IntegerField(
        label="适用年度", required=False, min_value=2000, max_value=2100, widget=_small(forms.NumberInput())
    )


def initial_items(scheme: AssessmentScheme) -> list[dict[str, Any]]:
    return [
        {
            "id": i.pk,
            "name": i.name,
            "kind": i.kind,
            "weight": i.weight,
            "display_order": i.display_order,
            "rule": i.rule,
        }
        for i in scheme.items.all()
    ]
