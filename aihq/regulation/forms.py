"""Forms for the regulation pages: the questionnaire (built from the framework's data), requirements,
evidence, risks and incidents."""

from __future__ import annotations

import json
from typing import Any

import yaml
from django import forms
from django.utils.translation import gettext_lazy as _

from aihq.accounts.models import User
from aihq.core.forms import ServiceModelForm
from aihq.core.i18n import localised
from aihq.core.uploads import check_upload
from aihq.regulation import engine, taxonomy
from aihq.regulation.models import Harm, Incident, IncidentStatus, RequirementStatus, Risk

YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]


class QuestionnaireForm(forms.Form):
    """One field per question of a framework; conditions travel as data-when for the page's script, and the
    engine decides on the server which questions count."""

    def __init__(self, framework: engine.Framework, *args: Any, answers: dict[str, Any] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.framework = framework
        answers = answers or {}
        for question in framework.questions:
            self.fields[question.id] = self._field(question, answers.get(question.id))

    def _field(self, question: engine.Question, current: Any) -> forms.Field:
        label = localised(question.text_en, question.text_ru)
        help_text = localised(question.help_en or "", question.help_ru or "")
        attrs = {"data-question": question.id}
        if question.when:
            attrs["data-when"] = json.dumps(question.when)
        options = [(o.value, _option_label(o)) for o in question.options]
        field: forms.Field
        if question.type == "bool":
            field = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect(attrs=attrs))
            initial: Any = "" if current is None else ("yes" if current else "no")
        elif question.type == "choice":
            field = forms.ChoiceField(choices=[("", "—"), *options], widget=forms.RadioSelect(attrs=attrs))
            initial = current or ""
        elif question.type == "multi":
            field = forms.MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple(attrs=attrs))
            initial = current or []
        elif question.type == "number":
            field = forms.CharField(max_length=40, widget=forms.TextInput(attrs={**attrs, "inputmode": "decimal"}))
            initial = "" if current is None else format(current, "g")
        else:
            field = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={**attrs, "rows": 3}))
            initial = current or ""
        field.required = False
        field.label = label
        field.help_text = help_text
        field.initial = initial
        return field

    def raw_answers(self) -> dict[str, Any]:
        """The answers as given (blank ones left out); the engine cleans and checks them."""
        answers: dict[str, Any] = {}
        for question in self.framework.questions:
            value = self.cleaned_data.get(question.id)
            if value in (None, "", []):
                continue
            answers[question.id] = value
        return answers


def _option_label(option: engine.Option) -> str:
    label = localised(option.label_en, option.label_ru)
    return f"{label} ({option.cite})" if getattr(option, "cite", "") else label


FRAMEWORK_FILE_TYPES = frozenset({".yaml", ".yml", ".json"})


class FrameworkUploadForm(forms.Form):
    file = forms.FileField(label=_("Framework file (YAML or JSON)"))
    make_current = forms.BooleanField(label=_("Use this version for new classifications"), required=False, initial=True)

    def clean_file(self) -> dict[str, Any]:
        upload = check_upload(self.cleaned_data["file"], max_bytes=2 * 1024 * 1024, extensions=FRAMEWORK_FILE_TYPES)
        try:
            data = engine.read_definition(upload.read().decode("utf-8"))
        except RecursionError:
            raise forms.ValidationError(_("The file is nested too deeply.")) from None
        except (UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
            raise forms.ValidationError(
                _("The file is not readable YAML or JSON: %(error)s") % {"error": exc}
            ) from None
        if not isinstance(data, dict):
            raise forms.ValidationError(_("A framework file must hold a mapping of keys and values."))
        return data  # parse_framework writes YAML dates as ISO strings


def _people(use_case: Any) -> Any:
    """Active people who can see the use case (an owner must be able to open what they own): HQ admins,
    auditors, the organisation's editors and viewers, and coordinators of it or of an organisation above it."""
    from django.db.models import Q

    from aihq.accounts.permissions import AUDITOR, COORDINATOR, EDITOR, HQ_ADMIN, VIEWER

    ancestors, node = [], use_case.organisation
    while node is not None and node.pk not in ancestors:
        ancestors.append(node.pk)
        node = node.parent
    allowed = (
        Q(memberships__role__in=[HQ_ADMIN, AUDITOR])
        | Q(memberships__role__in=[EDITOR, VIEWER], memberships__organisation_id=use_case.organisation_id)
        | Q(memberships__role=COORDINATOR, memberships__organisation_id__in=ancestors)
    )
    return User.objects.filter(allowed, is_active=True).distinct().order_by("username")


class RequirementForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = RequirementStatus
        fields = ["status", "justification", "owner", "due_date", "note", "version"]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}),
            "justification": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _people(self.instance.use_case)  # type: ignore[attr-defined]


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    file = forms.FileField(label=_("File"), required=False)
    url = forms.URLField(label=_("or a link"), max_length=1000, required=False, assume_scheme="https")

    def clean_file(self) -> Any:
        from aihq.regulation.services import EVIDENCE_EXTENSIONS, evidence_max_bytes

        upload = self.cleaned_data.get("file")
        if upload is not None:
            check_upload(upload, max_bytes=evidence_max_bytes(), extensions=EVIDENCE_EXTENSIONS)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("file")) == bool(data.get("url")):
            raise forms.ValidationError(_("Give either a file or a link."))
        return data


class RiskForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    category = forms.ChoiceField(label=_("Risk domain (MIT AI Risk Repository)"), choices=())

    class Meta:
        model = Risk
        fields = ["title", "description", "category", "likelihood", "severity", "mitigations", "residual_likelihood",
                  "residual_severity", "owner", "status", "version"]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "mitigations": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, use_case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "---------"), *taxonomy.choices()]  # type: ignore[attr-defined]
        scale = [("", "—"), *[(n, str(n)) for n in range(1, 6)]]
        for name in ("likelihood", "severity", "residual_likelihood", "residual_severity"):
            self.fields[name] = forms.TypedChoiceField(
                label=self.fields[name].label,
                choices=scale,
                coerce=int,
                empty_value=None,
                required=name in ("likelihood", "severity"),
            )
        self.fields["owner"].queryset = _people(use_case)  # type: ignore[attr-defined]


class IncidentForm(ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    harms = forms.MultipleChoiceField(
        label=_("Harm categories"), choices=Harm.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Incident
        fields = ["title", "occurred_on", "detected_on", "severity", "harms", "widespread_infringement",
                  "description", "affected_groups", "immediate_actions", "corrective_actions", "reported_on",
                  "risks", "version"]  # fmt: skip
        widgets = {
            "occurred_on": forms.DateInput(attrs={"type": "date"}),
            "detected_on": forms.DateInput(attrs={"type": "date"}),
            "reported_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "affected_groups": forms.Textarea(attrs={"rows": 2}),
            "immediate_actions": forms.Textarea(attrs={"rows": 2}),
            "corrective_actions": forms.Textarea(attrs={"rows": 2}),
            "risks": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, use_case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["risks"].queryset = Risk.objects.filter(use_case=use_case).order_by("title")  # type: ignore[attr-defined]


class IncidentMoveForm(forms.Form):
    status = forms.ChoiceField(label=_("Move to"), choices=IncidentStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
