from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aihq.core.forms import ServiceModelForm
from aihq.evaluation.models import (
    CRITERIA,
    STAGE_ORDER,
    BenefitMeasurement,
    BenefitMetric,
    CostLine,
    EvaluationSettings,
    GateDecision,
    GateKind,
)
from aihq.registry.models import Region, Stage

DATE = forms.DateInput(attrs={"type": "date"})


class MetricForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = BenefitMetric
        fields = ["kind", "name", "unit", "direction", "baseline", "baseline_date", "target", "target_date",
                  "value_per_unit", "currency", "benefits_from", "note"]  # fmt: skip
        widgets = {"baseline_date": DATE, "target_date": DATE, "note": forms.Textarea(attrs={"rows": 2})}


class MeasurementForm(ServiceModelForm):
    class Meta:
        model = BenefitMeasurement
        fields = ["measured_on", "value", "source", "evidence", "note"]
        widgets = {"measured_on": DATE, "note": forms.TextInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measured_on"].initial = dt.date.today()


class CostForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CostLine
        fields = ["year", "category", "kind", "planned", "actual", "currency", "compute_profile", "note"]

    def __init__(self, *args: Any, use_case: Any = None, currency: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from aihq.energy.models import ComputeProfile

        profile = self.fields["compute_profile"]
        assert isinstance(profile, forms.ModelChoiceField)
        profile.queryset = ComputeProfile.objects.filter(use_case=use_case)
        if not self.instance.pk:
            self.fields["currency"].initial = currency
            self.fields["year"].initial = dt.date.today().year


class ReviewRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=GateKind.choices, initial=GateKind.STAGE)
    to_stage = forms.ChoiceField(label=_("Move to"), required=False, choices=[])
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions to add"), queryset=Region.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    justification = forms.CharField(
        label=_("Case for the change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("What the pilot showed, what the next stage costs, who is ready."),
    )

    def __init__(self, *args: Any, stage: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        later = [
            s for s in STAGE_ORDER if STAGE_ORDER.index(s) > (STAGE_ORDER.index(stage) if stage in STAGE_ORDER else -1)
        ]  # type: ignore[arg-type]
        field = self.fields["to_stage"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *[(s, Stage(s).label) for s in later]]
        regions = self.fields["regions"]
        assert isinstance(regions, forms.ModelMultipleChoiceField)
        regions.queryset = Region.objects.order_by("code")


CONDITION_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s+(.+?)\s*$")


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[c for c in GateDecision.choices if c[0] != GateDecision.PENDING]
    )
    rationale = forms.CharField(
        label=_("Rationale"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": format_lazy("2027-03-31 {}", _("Publish the impact assessment"))}
        ),
        help_text=_("For go with conditions: one per line, the due date first (YYYY-MM-DD), then the condition."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in CRITERIA:
            label = CRITERION_LABELS[key]
            self.fields[f"met_{key}"] = forms.NullBooleanField(
                label=label,
                required=False,
                widget=forms.Select(
                    choices=[("unknown", "—"), ("true", _("Met")), ("false", _("Not met"))],
                    attrs={"aria-label": format_lazy("{}: {}", label, _("your finding"))},
                ),
            )
            self.fields[f"note_{key}"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=1000,
                widget=forms.TextInput(attrs={"aria-label": format_lazy("{}: {}", label, _("note"))}),
            )

    def clean_conditions(self) -> list[tuple[str, dt.date]]:
        parsed: list[tuple[str, dt.date]] = []
        for number, line in enumerate(str(self.cleaned_data.get("conditions") or "").splitlines(), start=1):
            if not line.strip():
                continue
            match = CONDITION_LINE.match(line)
            try:
                due = dt.date.fromisoformat(match.group(1)) if match else None
            except ValueError:
                due = None
            if match is None or due is None:
                raise forms.ValidationError(
                    _("Line %(n)s: start with a due date as YYYY-MM-DD, then the condition.") % {"n": number}
                )
            parsed.append((match.group(2), due))
        return parsed

    def criteria(self) -> dict[str, dict[str, Any]]:
        return {
            key: {"met": self.cleaned_data.get(f"met_{key}"), "note": self.cleaned_data.get(f"note_{key}", "")}
            for key in CRITERIA
        }


CRITERION_LABELS = {
    "benefits_evidenced": _("Benefits evidenced"),
    "requirements_met": _("Requirements met"),
    "risks_accepted": _("Risks accepted"),
    "budget_approved": _("Budget approved"),
}

WEIGHT_FIELDS = ("weight_value", "weight_fit", "weight_risk", "weight_readiness", "weight_cost")


class SettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    gated_stages = forms.MultipleChoiceField(
        label=_("Stages that need a go decision"),
        choices=[(s, Stage(s).label) for s in STAGE_ORDER[1:]],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Entering one of these stages from an earlier one needs a stage-gate review with a go decision."),
    )

    class Meta:
        model = EvaluationSettings
        fields = ["discount_rate", "appraisal_years", "currency", "swing", *WEIGHT_FIELDS, "gated_stages"]

    def _post_clean(self) -> None:
        pass


class WeightsForm(forms.Form):
    """What-if weights for the portfolio (not saved unless an HQ admin asks)."""

    value = forms.FloatField(
        label=pgettext_lazy("portfolio criterion", "Value"), min_value=0, max_value=100, required=False
    )
    fit = forms.FloatField(label=_("Strategic fit"), min_value=0, max_value=100, required=False)
    risk = forms.FloatField(label=_("Risk"), min_value=0, max_value=100, required=False)
    readiness = forms.FloatField(label=_("Readiness"), min_value=0, max_value=100, required=False)
    cost = forms.FloatField(label=_("Cost"), min_value=0, max_value=100, required=False)

    def weights(self, default: dict[str, float]) -> dict[str, float]:
        if not self.is_valid():
            return default
        chosen = {k: v for k, v in self.cleaned_data.items() if v is not None}
        if not chosen or sum(chosen.values()) <= 0:
            return default
        return {k: float(chosen.get(k, 0.0)) for k in default}


PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")


def parse_period(text: str) -> tuple[dt.date, dt.date] | None:
    """``2026-Q3`` → (2026-07-01, 2026-09-30); None when it is not such a quarter."""
    match = PERIOD.match(text.strip())
    if not match:
        return None
    year, quarter = int(match.group(1)), int(match.group(2))
    if not 1990 <= year <= 2100:
        return None
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - dt.timedelta(days=1)
    return start, end


def current_period(today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


class BriefingForm(forms.Form):
    organisation = forms.CharField(label=_("Organisation"), required=False, help_text=_("Blank: everything you see."))
    period = forms.CharField(label=_("Quarter"), max_length=7, help_text=_("As YYYY-QN, such as 2026-Q4."))
    lang = forms.ChoiceField(label=_("Language"), choices=[("en", "English"), ("ru", "Русский")], initial="en")

    def clean_period(self) -> str:
        period = str(self.cleaned_data["period"]).strip().upper()
        if parse_period(period) is None:
            raise forms.ValidationError(_("Give the quarter as YYYY-QN, such as 2026-Q4."))
        return period
