"""Forms of the compute and power pages."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aihq.accounts.permissions import writable_organisations
from aihq.energy.models import ComputeSite, check_accelerators
from aihq.registry.models import Region


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


class ComputeSiteForm(forms.ModelForm):  # type: ignore[type-arg]
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
        regions = sorted(Region.objects.all(), key=lambda r: r.name.casefold())
        self.fields["region"].choices = [("", "---------"), *((r.pk, r.name) for r in regions)]  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        pass  # the service validates the model with the actor's rights
