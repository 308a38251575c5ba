from __future__ import annotations

from django.urls import path

from aihq.routines import views

urlpatterns = [
    path("tasks/", views.task_list, name="task-list"),
    path("cycles/", views.cycle_list, name="cycle-list"),
    path("cycles/new/", views.cycle_create, name="cycle-create"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle-detail"),
    path("cycles/<int:pk>/edit/", views.cycle_edit, name="cycle-edit"),
    path("cycles/<int:pk>/delete/", views.cycle_delete, name="cycle-delete"),
    path("cycles/<int:pk>/confirm/", views.cycle_confirm, name="cycle-confirm"),
]
