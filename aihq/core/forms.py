"""What every app's forms share: service-validated model forms, errors as text, region choices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def apply_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's validation errors on the form: on their fields, or above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def run_service(form: forms.BaseForm, call: Callable[[], Any]) -> tuple[bool, Any]:
    """Run a write service for a valid form: ``(True, its result)``, or ``(False, None)`` with its refusal (a
    validation error, or a stale version) shown on the form."""
    from aihq.core.services import ConflictError

    try:
        return True, call()
    except ValidationError as exc:
        apply_service_errors(form, exc)
    except ConflictError as exc:
        form.add_error(None, str(exc))
    return False, None


class ServiceModelForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form whose model is validated and saved by a service (with the actor's rights), not by the form."""

    def _post_clean(self) -> None:
        pass


def form_errors_text(form: forms.BaseForm) -> str:
    """A form's errors as one message, each prefixed with its field's label."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(error) for error in errors)
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)


def region_choices(regions: Any = None) -> list[tuple[Any, str]]:
    """Regions for a select, alphabetical in the reader's language (an empty choice first)."""
    from aihq.registry.models import Region

    rows = Region.objects.all() if regions is None else regions
    return [("", "---------"), *sorted(((r.pk, r.name) for r in rows), key=lambda choice: choice[1].casefold())]
