from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aihq.core.forms import ServiceModelForm
from aihq.objectives.models import Indicator
from aihq.registry.models import Organisation
from aihq.routines.models import MAX_DAYS, MAX_STEPS, MIN_DAYS, Audience, ReportingCycle

STEPS = 6  # rows shown for a new cycle; an existing one shows all its steps and a free row (up to MAX_STEPS)
DATE = forms.DateInput(attrs={"type": "date"})


class CycleForm(ServiceModelForm):
    """A reporting cycle, its reminders as up to six rows of (days from the due date, to whom)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ReportingCycle
        fields = ["name_en", "name_ru", "kind", "frequency", "due_days", "starts_on", "organisations", "indicators",
                  "active"]  # fmt: skip
        widgets = {
            "starts_on": DATE,
            "organisations": forms.SelectMultiple(attrs={"size": 8}),
            "indicators": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.order_by("code")  # type: ignore[attr-defined]
        self.fields["indicators"].queryset = Indicator.objects.order_by("code")  # type: ignore[attr-defined]
        schedule = self.instance.schedule or []
        self.steps = min(MAX_STEPS, max(STEPS, len(schedule) + 1))
        for i in range(self.steps):
            step = schedule[i] if i < len(schedule) else None
            self.fields[f"step_days_{i}"] = forms.IntegerField(
                label=_("Days from the due date"),
                min_value=MIN_DAYS,
                max_value=MAX_DAYS,
                required=False,
                initial=step["days"] if step else None,
                help_text=_("Negative: before the date."),
            )
            self.fields[f"step_to_{i}"] = forms.ChoiceField(
                label=_("To"),
                choices=[("", "—"), *Audience.choices],
                required=False,
                initial=step["to"] if step else "",
            )

    def step_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"step_days_{i}"], self[f"step_to_{i}"]) for i in range(self.steps)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        steps = []
        for i in range(self.steps):
            days, to = data.pop(f"step_days_{i}", None), data.pop(f"step_to_{i}", "")
            if days is None and not to:
                continue
            if days is None or not to:
                self.add_error(f"step_days_{i}", _("Give both the days and to whom, or neither."))
                continue
            steps.append({"days": days, "to": to})
        data["schedule"] = steps
        return data


class ConfirmForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.all())
    period_end = forms.DateField()
    note = forms.CharField(max_length=500, required=False)
