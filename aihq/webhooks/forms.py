"""The endpoint form (validated and saved by the services, with the actor's rights)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aihq.core.forms import ServiceModelForm
from aihq.notifications.kinds import Kind
from aihq.registry.models import Organisation
from aihq.webhooks.models import Endpoint


class EndpointForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Event types"),
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The kinds of event sent here."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Only for organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Blank: events of every organisation. Otherwise this organisation's and those below it."),
    )

    class Meta:
        model = Endpoint
        fields = ["name", "url", "event_types", "organisation", "active", "description"]
        widgets = {
            "url": forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ModelChoiceField)
        organisation.queryset = Organisation.objects.order_by("code")
        organisation.label_from_instance = lambda obj: f"{obj.code} — {obj.name}"  # type: ignore[method-assign,assignment]
