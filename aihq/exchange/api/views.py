"""Imports over the API: POST a file (multipart), read the report."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from aihq.accounts.permissions import writable_organisations
from aihq.exchange.api.serializers import ImportRequestSerializer, ImportRunSerializer
from aihq.exchange.models import ImportRun, ImportStatus
from aihq.exchange.selectors import import_run_list
from aihq.exchange.services import ImportOptions, import_usecases


class ImportRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Your imports (all imports for HQ admins and auditors). POST multipart ``file`` to import."""

    serializer_class = ImportRunSerializer
    queryset = ImportRun.objects.none()
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[ImportRun]:
        return import_run_list(self.request.user)

    @extend_schema(request={"multipart/form-data": ImportRequestSerializer}, responses={201: ImportRunSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Import a file. 201 with the report when the file was read (rows may still be rejected); 400 when it
        could not be read at all or the import was aborted (the report says why; nothing was written)."""
        if not writable_organisations(request.user).exists():
            raise PermissionDenied(_("You have no organisation to import into."))
        serializer = ImportRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data["file"]
        run = import_usecases(
            actor=request.user,
            data=upload.read(),
            file_name=upload.name,
            options=ImportOptions(
                format=data.get("format") or None,
                organisation=data.get("organisation"),
                dry_run=data["dry_run"],
                strict=data["strict"],
                on_conflict=data["on_conflict"],
                encoding=data.get("encoding") or None,
            ),
        )
        body = ImportRunSerializer(run, context={"request": request}).data
        if run.status in (ImportStatus.FAILED, ImportStatus.ABORTED):
            return Response(
                {"detail": run.error, "errors": {"file": [run.error]}, **body}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(body, status=status.HTTP_201_CREATED)
