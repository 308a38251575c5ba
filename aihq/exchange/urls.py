from __future__ import annotations

from django.urls import path

from aihq.exchange import views

urlpatterns = [
    path("imports/", views.import_list, name="import-list"),
    path("imports/new/", views.import_new, name="import-new"),
    path("imports/template.<str:kind>", views.import_template, name="import-template"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/apply/", views.import_apply, name="import-apply"),
    path("imports/<int:pk>/rejects/", views.import_rejects, name="import-rejects"),
    path("use-cases/export/", views.use_case_export, name="usecase-export"),
]
