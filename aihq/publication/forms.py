from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from aihq.publication import fields as catalogue
from aihq.publication.models import PublicationProfile


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RequestForm(VersionedForm):
    contact = forms.CharField(
        label=_("Public contact"),
        max_length=300,
        required=False,
        help_text=_("An e-mail address or office the public can ask. Not a person's private address."),
    )
    human_oversight = forms.CharField(
        label=_("Human oversight"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the public: how people oversee the system and can intervene in or overturn its outputs."),
    )
    data_used = forms.CharField(
        label=_("Data used"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the public: the data it was trained on and works with."),
    )
    note = forms.CharField(
        label=_("Note to the approver"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class DecisionForm(VersionedForm):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ApprovalForm(DecisionForm):
    #: the use case's version the approver reviewed: a change since is refused, not published unseen
    use_case_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class WithdrawForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason for withdrawal"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    public_fields = forms.MultipleChoiceField(
        label=_("Public fields"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Name and organisation are always public. Removing a field hides it at once everywhere."),
    )
    licence_url = forms.URLField(
        label=capfirst(_("licence URL")), max_length=300, required=False, assume_scheme="https"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PublicationProfile
        fields = [
            "enabled",
            "public_fields",
            "title_en",
            "title_ru",
            "intro_en",
            "intro_ru",
            "publisher",
            "licence",
            "licence_url",
        ]
        widgets = {"intro_en": forms.Textarea(attrs={"rows": 3}), "intro_ru": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["public_fields"].choices = [  # type: ignore[attr-defined]
            (f.key, f"{f.label} — {f.help}") for f in catalogue.FIELDS if not f.required
        ]
        if self.instance is not None and not self.is_bound:
            self.initial["version"] = self.instance.version
            self.initial["public_fields"] = list(self.instance.public_fields)
