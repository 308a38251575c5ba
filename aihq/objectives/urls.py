from __future__ import annotations

from django.urls import path

from aihq.objectives import views

urlpatterns = [
    path("objectives/", views.overview, name="objective-list"),
    path("objectives/new/", views.objective_create, name="objective-create"),
    path("objectives/<int:pk>/", views.objective_detail, name="objective-detail"),
    path("objectives/<int:pk>/edit/", views.objective_edit, name="objective-edit"),
    path("indicators/new/", views.indicator_create, name="indicator-create"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator-edit"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator-detail"),
    path("indicators/<int:pk>/report/", views.measurement_report, name="measurement-report"),
    path("indicators/<int:pk>/upload/", views.measurement_upload, name="measurement-upload"),
    path("indicators/<int:pk>/rag-override/", views.rag_override, name="rag-override"),
    path("stocktake/", views.stocktake, name="stocktake"),
    path("stocktake/regions-behind/", views.stocktake_regions, name="stocktake-regions"),
    path("use-cases/<int:pk>/contributions/", views.contribution_add, name="contribution-add"),
    path("contributions/<int:pk>/remove/", views.contribution_remove, name="contribution-remove"),
]
