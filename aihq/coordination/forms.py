from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aihq.coordination.models import Verdict
from aihq.coordination.services import DEFAULT_THRESHOLD


class DecisionForm(forms.Form):
    use_case_a = forms.IntegerField(widget=forms.HiddenInput)
    use_case_b = forms.IntegerField(widget=forms.HiddenInput)
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReviewFilterForm(forms.Form):
    min_score = forms.FloatField(label=_("Similarity at least"), required=False, min_value=0, max_value=1)
    q = forms.CharField(label=_("Use case or organisation code"), required=False, max_length=200)
    decided = forms.BooleanField(label=_("Show decided pairs"), required=False)


class RunForm(forms.Form):
    threshold = forms.FloatField(
        label=_("Threshold"), min_value=0.3, max_value=1, initial=DEFAULT_THRESHOLD, required=False
    )
