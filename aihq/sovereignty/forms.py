"""Forms for the sovereignty pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aihq.core.forms import ServiceModelForm
from aihq.core.uploads import check_upload
from aihq.sovereignty.models import (
    Agreement,
    BomEntry,
    Component,
    CutoffScenario,
    SovereigntySettings,
    Supplier,
)


class SupplierForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    website = forms.URLField(label=_("website"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Supplier
        fields = ["name", "jurisdiction", "kind", "parent", "website", "sanctions_notes", "version"]
        widgets = {"sanctions_notes": forms.Textarea(attrs={"rows": 3})}


class ComponentForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Component
        fields = ["type", "name", "release", "supplier", "licence", "open_weights", "hosting", "replaceability",
                  "alternatives", "switch_cost", "model_family", "description", "version"]  # fmt: skip
        widgets = {
            "alternatives": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "open_weights": forms.NullBooleanSelect,
        }


class BomEntryForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = BomEntry
        fields = ["component", "role", "criticality"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["component"].queryset = Component.objects.select_related("supplier").order_by("type", "name")  # type: ignore[attr-defined]

    def _post_clean(self) -> None:  # the service validates (with the actor's rights)
        pass


class AibomUploadForm(forms.Form):
    file = forms.FileField(label=_("CycloneDX 1.6 JSON file"))
    dry_run = forms.BooleanField(label=_("Check only, save nothing"), required=False)

    def clean_file(self) -> Any:
        from aihq.sovereignty.services import AIBOM_FILE_TYPES, AIBOM_MAX_BYTES

        return check_upload(self.cleaned_data["file"], max_bytes=AIBOM_MAX_BYTES, extensions=AIBOM_FILE_TYPES)


class AgreementForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Agreement
        fields = ["title", "partner_country", "partner_name", "kind", "status", "signed_on", "starts_on", "ends_on",
                  "scope", "suppliers", "organisations", "source", "version"]  # fmt: skip
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}),
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "scope": forms.Textarea(attrs={"rows": 3}),
            "suppliers": forms.SelectMultiple(attrs={"size": 8, "data-filterable": ""}),
            "organisations": forms.SelectMultiple(attrs={"size": 8, "data-filterable": ""}),
        }


class ScenarioForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    jurisdictions = forms.CharField(
        label=_("Jurisdictions"),
        required=False,
        help_text=_("ISO 3166-1 codes separated by commas, such as US, CN."),
    )

    class Meta:
        model = CutoffScenario
        fields = ["name", "description", "effective_from", "jurisdictions", "suppliers", "components", "version"]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 2}),
            "suppliers": forms.SelectMultiple(attrs={"size": 8, "data-filterable": ""}),
            "components": forms.SelectMultiple(attrs={"size": 8, "data-filterable": ""}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["jurisdictions"] = ", ".join(self.instance.jurisdictions or [])

    def clean_jurisdictions(self) -> list[str]:
        text = self.cleaned_data.get("jurisdictions") or ""
        return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]  # the model tidies


class SettingsForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = SovereigntySettings
        fields = ["home_country", "weight_jurisdiction", "weight_hosting", "weight_licence", "weight_replaceability",
                  "version"]  # fmt: skip
