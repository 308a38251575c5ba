"""Forms of the objectives pages: report a value, upload values, override a rating, link a use case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aihq.accounts.permissions import scope_for, writable_organisations
from aihq.core.forms import ServiceModelForm, region_choices
from aihq.core.uploads import DATA_FILE_TYPES, check_upload
from aihq.exchange.forms import max_upload_bytes
from aihq.objectives.models import Indicator, Objective, RagRating
from aihq.objectives.rows import parse_number, parse_period
from aihq.objectives.services import TargetSpec
from aihq.registry.models import Organisation, Region, UseCase


class PeriodField(forms.CharField):
    """A period end: 2024-12-31, 2024-12, 2024-Q4 or 2024."""

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_period(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class MeasurementForm(forms.Form):
    period_end = PeriodField(
        label=_("Period"), help_text=_("2025-12-31, 2025-12, 2025-Q4 or 2025: the end of that period.")
    )
    value = forms.FloatField(label=_("Value"))
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("The organisation the value is for; leave empty for a national or regional statistic."),
    )
    weight = forms.FloatField(label=_("Weight"), required=False, min_value=0)
    source = forms.CharField(label=_("Source"), max_length=500, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, indicator: Indicator, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.fields["organisation"].queryset = writable_organisations(user).order_by("code")  # type: ignore[attr-defined]
        countries = [indicator.region_country] if indicator.region_country else []
        regions = Region.objects.filter(country__in=countries) if countries else Region.objects.all()
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        self.fields["region"].choices = region_choices(regions)  # type: ignore[attr-defined]
        if not scope_for(user).is_hq_admin:
            self.fields["organisation"].required = True
            self.fields["organisation"].help_text = _("The organisation you report for.")
        if indicator.weight_label:
            self.fields["weight"].help_text = indicator.weight_label


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV, XLSX or JSON with the columns period, value and optionally region, organisation, weight, "
            "source, note."
        ),
    )

    def clean_file(self) -> Any:
        return check_upload(self.cleaned_data["file"], max_bytes=max_upload_bytes(), extensions=DATA_FILE_TYPES)


class RagOverrideForm(forms.Form):
    rating = forms.ChoiceField(label=_("Rating"), choices=RagRating.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False)


class ContributionForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.none())
    note = forms.CharField(label=_("How it contributes"), max_length=500, required=False)

    def __init__(self, *args: Any, use_case: UseCase, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.use_case = use_case
        self.fields["indicator"].queryset = Indicator.objects.restrict(user, "view").order_by("code")  # type: ignore[attr-defined]


class TargetsField(forms.CharField):
    """Dated targets typed one per line: ``2030-12-31 95`` (national) or ``2030-12-31 100 RU-MOW`` (a region)."""

    widget = forms.Textarea(attrs={"rows": 4, "placeholder": "2027-12-31 50\n2030-12-31 95\n2030-12-31 100 RU-MOW"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(
                f"{t.date.isoformat()} {t.value:g}{' ' + t.region.code if t.region else ''}" for t in value
            )
        return value

    def to_python(self, value: Any) -> list[TargetSpec]:  # type: ignore[override]
        text = super().to_python(value) or ""
        lines = [(number, line.split()) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
        codes = {parts[2].upper() for _, parts in lines if len(parts) == 3}
        regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
        specs: list[TargetSpec] = []
        errors: list[str] = []
        for number, parts in lines:
            try:
                if len(parts) not in (2, 3):
                    raise ValueError(_("write a date, a value and optionally a region code"))
                day = parse_period(parts[0])
                value_ = parse_number(parts[1])
                region = None
                if len(parts) == 3:
                    region = regions.get(parts[2].upper())
                    if region is None:
                        raise ValueError(_("no region has the code %(code)s") % {"code": parts[2]})
            except ValueError as exc:
                errors.append(_("Line %(line)s: %(problem)s.") % {"line": number, "problem": str(exc).rstrip(".")})
                continue
            specs.append(TargetSpec(day, value_, region))
        if errors:
            raise forms.ValidationError(errors)
        return specs


class ObjectiveForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Objective
        fields = ["code", "title_en", "title_ru", "programme", "programme_ru", "owner", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.order_by("code")  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["code"].disabled = True


class IndicatorForm(ServiceModelForm):
    targets = TargetsField(
        label=_("Targets"),
        required=False,
        help_text=_("One per line: a date and a value (2030-12-31 95), and a region's ISO code for a regional target."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Indicator
        fields = [
            "objective",
            "code",
            "name_en",
            "name_ru",
            "unit",
            "unit_ru",
            "direction",
            "baseline_value",
            "baseline_date",
            "targets",
            "shape",
            "frequency",
            "aggregation",
            "weight_label",
            "region_country",
            "owner",
            "reporting_organisations",
            "source",
            "notes",
        ]
        widgets = {
            "baseline_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.order_by("code")
        self.fields["owner"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["reporting_organisations"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["reporting_organisations"].widget.attrs["size"] = 8
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.initial["targets"] = list(self.instance.targets.select_related("region").order_by("region", "date"))
