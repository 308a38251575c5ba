"""Forms for the registry pages; they validate input, the services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from aihq.accounts.permissions import writable_organisations
from aihq.core.forms import ServiceModelForm
from aihq.registry.models import Organisation, Region, Sector, Technique, UseCase


class TagsField(forms.CharField):
    """Free tags typed as comma-separated words."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return list(dict.fromkeys(tag.strip() for tag in text.split(",") if tag.strip()))


class UseCaseForm(ServiceModelForm):
    tags = TagsField(label=_("Tags"), required=False, help_text=_("Separate with commas."))
    techniques = forms.MultipleChoiceField(
        label=_("AI techniques"),
        choices=Technique.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checklist"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = UseCase
        fields = [
            "name",
            "organisation",
            "reference",
            "unit",
            "stage",
            "description",
            "purpose",
            "outputs",
            "sectors",
            "regions",
            "development_method",
            "vendors",
            "is_generative",
            "date_initiated",
            "date_deployed",
            "date_retired",
            "is_public",
            "tags",
            "impact_type",
            "is_high_impact",
            "techniques",
        ]
        widgets = {
            "is_high_impact": forms.NullBooleanSelect(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "outputs": forms.Textarea(attrs={"rows": 2}),
            "date_initiated": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "date_deployed": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "date_retired": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "sectors": forms.CheckboxSelectMultiple(attrs={"class": "checklist"}),
            "regions": forms.SelectMultiple(attrs={"size": 10, "data-filterable": "true"}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation_field = self.fields["organisation"]
        assert isinstance(organisation_field, forms.ModelChoiceField)
        organisation_field.queryset = writable_organisations(user).order_by("code")
        # Lists read in the page's language, so they are sorted by the names shown.
        name = "name_ru" if (get_language() or "en").startswith("ru") else "name_en"
        self.fields["sectors"].queryset = Sector.objects.order_by(name)  # type: ignore[attr-defined]
        self.fields["regions"].queryset = Region.objects.order_by("country", name)  # type: ignore[attr-defined]
        self.fields["regions"].help_text = _(
            "Hold Ctrl (⌘ on a Mac) to choose several; type above the list to find one."
        )
        if self.instance.pk:
            # An edit must say which version it was made on, or it could overwrite someone else's.
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as keyword arguments for the use-case services."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["sectors"] = list(data.get("sectors") or [])
        data["regions"] = list(data.get("regions") or [])
        return data


class OrganisationForm(ServiceModelForm):
    class Meta:
        model = Organisation
        fields = ["code", "name_en", "name_ru", "kind", "parent", "region"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Organisation.objects.order_by("code")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        name = "name_ru" if (get_language() or "en").startswith("ru") else "name_en"
        self.fields["region"].queryset = Region.objects.order_by("country", name)  # type: ignore[attr-defined]

    def service_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
