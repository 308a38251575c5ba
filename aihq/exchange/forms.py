"""The upload form of the import page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from aihq.accounts.permissions import writable_organisations
from aihq.core.uploads import DATA_FILE_TYPES, check_upload
from aihq.exchange.formats import FORMAT_NAMES
from aihq.registry.models import Organisation


def max_upload_bytes() -> int:
    return int(getattr(settings, "AIHQ_IMPORT_MAX_MB", 50)) * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("CSV, Excel (.xlsx) or JSON."))
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Detect from the header")), *[(name, name) for name in FORMAT_NAMES]],
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Rows without an organisation go here; for OMB files, the parent of the agencies."),
    )
    on_conflict = forms.ChoiceField(
        label=_("Rows that match existing use cases"),
        choices=[
            ("update", _("update them")),
            ("skip", _("leave them as they are")),
            ("fail", _("stop the import")),
        ],
        initial="update",
    )
    strict = forms.BooleanField(label=_("Import nothing if any row has an error"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = writable_organisations(user).order_by("code")

    def clean_file(self) -> Any:
        return check_upload(self.cleaned_data["file"], max_bytes=max_upload_bytes(), extensions=DATA_FILE_TYPES)
