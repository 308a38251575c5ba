"""Forms of the compute and power pages."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aihq.accounts.permissions import writable_organisations
from aihq.core.forms import ServiceModelForm, region_choices
from aihq.energy.models import ComputeProfile, ComputeSite, Scenario, check_accelerators


class AcceleratorsField(forms.CharField):
    """Accelerators typed as ``H100-SXM=1024, B200=512``."""

    widget = forms.TextInput(attrs={"placeholder": "H100-SXM=1024, B200=512"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return ", ".join(f"{model}={count}" for model, count in value.items())
        if isinstance(value, str) and value.startswith("{"):
            try:
                return self.prepare_value(json.loads(value))
            except ValueError:
                return value
        return value

    def to_python(self, value: Any) -> dict[str, int]:  # type: ignore[override]
        text = super().to_python(value) or ""
        result: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
            model, _sep, count = part.partition("=")
            if not model.strip() or not count.strip().isdecimal():
                raise forms.ValidationError(_("Write each as MODEL=COUNT, such as H100-SXM=1024."))
            result[model.strip()] = result.get(model.strip(), 0) + int(count.strip())
        check_accelerators(result)
        return result


class ComputeSiteForm(ServiceModelForm):
    accelerators = AcceleratorsField(label=_("Accelerators"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ComputeSite
        fields = [
            "name",
            "operator",
            "region",
            "status",
            "commissioning_year",
            "it_capacity_mw",
            "accelerators",
            "pue",
            "utilisation",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = writable_organisations(user).order_by("code")  # type: ignore[attr-defined]
        self.fields["region"].choices = region_choices()  # type: ignore[attr-defined]


class IndentedJSONField(forms.JSONField):
    """JSON shown indented, so a person can read and edit it."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)


class ScenarioForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Scenario
        fields = [
            "code",
            "name_en",
            "name_ru",
            "description_en",
            "description_ru",
            "start_year",
            "end_year",
            "samples",
            "seed",
            "mix",
            "parameters",
            "demand",
        ]
        widgets = {
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "description_ru": forms.Textarea(attrs={"rows": 3}),
            "mix": forms.Textarea(attrs={"rows": 3, "class": "mono"}),
            "parameters": forms.Textarea(attrs={"rows": 10, "class": "mono"}),
            "demand": forms.Textarea(attrs={"rows": 6, "class": "mono"}),
        }
        field_classes = {"mix": IndentedJSONField, "parameters": IndentedJSONField, "demand": IndentedJSONField}
        help_texts = {
            "mix": _('Technology → share of the energy, such as {"gas_combined_cycle": 0.7, "nuclear": 0.3}.'),
            "parameters": _(
                "utilisation, efficiency_gain, demand_growth, reserve_margin (required) and server_kw, pue, pue_final, "
                "utilisation_final, "
                "data_centre_capex_usd_per_mw, rub_per_usd, capex_usd_per_kw (by technology): a number, or "
                '{"kind": "triangular", "low": …, "mode": …, "high": …}, uniform (low, high) or lognormal (p10, p90).'
            ),
            "demand": _(
                'Empty: sites, compute profiles and exogenous loads. Or {"regions": [...], "it_mw": {region: [one '
                'value per year]}, "exogenous_mw": {...}}.'
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
        for name in ("mix", "parameters", "demand"):
            self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        for name in ("mix", "parameters", "demand"):
            if name in data and data[name] is None:
                data[name] = {}  # an empty box is an empty object
        return data


class ComputeProfileForm(ServiceModelForm):
    class Meta:
        model = ComputeProfile
        fields = [
            "accelerator_model",
            "accelerators_reserved",
            "inference_requests_per_day",
            "accelerator_seconds_per_request",
            "training_accelerator_hours",
            "training_flop",
            "host_region",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host_region"].choices = region_choices()  # type: ignore[attr-defined]
