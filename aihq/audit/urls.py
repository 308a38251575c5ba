from __future__ import annotations

from django.urls import path

from aihq.audit import views

urlpatterns = [
    path("", views.event_list, name="audit-list"),
    path("<int:seq>/", views.event_detail, name="audit-detail"),
]
