from __future__ import annotations

from django.urls import path

from aihq.registry import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("use-cases/", views.use_case_list, name="usecase-list"),
    path("use-cases/new/", views.use_case_create, name="usecase-create"),
    path("use-cases/<int:pk>/", views.use_case_detail, name="usecase-detail"),
    path("use-cases/<int:pk>/edit/", views.use_case_edit, name="usecase-edit"),
    path("use-cases/<int:pk>/delete/", views.use_case_delete, name="usecase-delete"),
    path("organisations/", views.organisation_tree, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<str:code>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<str:code>/edit/", views.organisation_edit, name="organisation-edit"),
    path("organisations/<str:code>/delete/", views.organisation_delete, name="organisation-delete"),
]
