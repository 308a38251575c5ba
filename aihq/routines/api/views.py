"""Routines API: reporting cycles (HQ admins set them), what I owe, and confirmations of a period's report."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from aihq.core.api import VersionedMixin
from aihq.registry.api.views import ScopedViewSetMixin
from aihq.routines import selectors, services
from aihq.routines.api.serializers import ReportingCycleSerializer, SubmissionSerializer, TaskSerializer
from aihq.routines.models import ReportingCycle, Submission


class ReportingCycleViewSet(ScopedViewSetMixin, VersionedMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """Reporting cycles: what organisations report, how often, by when, and the reminders and escalations around
    the due date. Everyone signed in reads them; HQ admins set them."""

    serializer_class = ReportingCycleSerializer
    queryset = ReportingCycle.objects.none()

    def get_queryset(self) -> QuerySet[ReportingCycle]:
        return selectors.cycles(self.request.user).order_by("pk")

    def perform_create(self, serializer: BaseSerializer[ReportingCycle]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.cycle_create(actor=self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer[ReportingCycle]) -> None:
        assert serializer.instance is not None
        data = self.versioned(serializer.validated_data)
        serializer.instance = services.cycle_update(actor=self.request.user, cycle=serializer.instance, **data)

    def perform_destroy(self, instance: ReportingCycle) -> None:
        services.cycle_delete(actor=self.request.user, cycle=instance)


class TasksView(generics.ListAPIView):  # type: ignore[type-arg]
    """What the organisations you report for still owe: overdue, or due within a month (HQ admins: every
    organisation's). Filter ``state=due`` or ``state=overdue``."""

    serializer_class = TaskSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[OpenApiParameter("state", str, enum=["due", "overdue"], description="Only these.")],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_queryset(self) -> Any:
        today = timezone.localdate()
        tasks = selectors.my_tasks(self.request.user, today, everyone=True)
        state = self.request.query_params.get("state", "")
        if state:
            if state not in ("due", "overdue"):
                raise ValidationError({"state": [_("Use due or overdue.")]})
            tasks = [t for t in tasks if t.state(today) == state]
        return tasks


class SubmissionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Confirmations that an organisation has reported for a period (how an inventory refresh is done)."""

    serializer_class = SubmissionSerializer
    queryset = Submission.objects.none()

    def get_queryset(self) -> QuerySet[Submission]:
        rows = Submission.objects.restrict(self.request.user).select_related("organisation", "submitted_by")
        return rows.order_by("-period_end", "pk")  # type: ignore[no-any-return]

    def perform_create(self, serializer: BaseSerializer[Submission]) -> None:
        data: dict[str, Any] = dict(serializer.validated_data)
        cycle = data.pop("cycle")
        visible = selectors.cycles(self.request.user).filter(pk=cycle.pk).first()
        if visible is None:
            from rest_framework.exceptions import NotFound

            raise NotFound()
        serializer.instance = services.confirm(actor=self.request.user, cycle=visible, **data)
