from __future__ import annotations

from typing import Any

from rest_framework import serializers

from aihq.core.uploads import DATA_FILE_TYPES, check_upload
from aihq.exchange.formats import FORMAT_NAMES
from aihq.exchange.forms import max_upload_bytes
from aihq.exchange.models import ImportRun
from aihq.exchange.selectors import run_report
from aihq.exchange.services import ON_CONFLICT
from aihq.registry.api.serializers import VisibleOrganisationField


class ImportRequestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A file to import (multipart) and how."""

    file = serializers.FileField()
    format = serializers.ChoiceField(choices=FORMAT_NAMES, required=False, allow_blank=True)
    organisation = VisibleOrganisationField(required=False, allow_null=True)
    dry_run = serializers.BooleanField(default=False)
    strict = serializers.BooleanField(default=False)
    on_conflict = serializers.ChoiceField(choices=ON_CONFLICT, default="update")
    encoding = serializers.CharField(required=False, allow_blank=True, max_length=30)

    def validate_file(self, value: Any) -> Any:
        return check_upload(value, max_bytes=max_upload_bytes(), extensions=DATA_FILE_TYPES)


class ImportRunSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """An import run with its row-level report."""

    report = serializers.SerializerMethodField()

    class Meta:
        model = ImportRun
        fields = ["id", "report"]

    def get_report(self, run: ImportRun) -> dict[str, Any]:
        report = run_report(run)
        report.pop("id")
        report["rejects_file"] = bool(report["rejects_file"])
        return report
