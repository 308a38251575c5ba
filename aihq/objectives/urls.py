from __future__ import annotations

from django.urls import path

from aihq.objectives import views

urlpatterns = [
    path("objectives/", views.overview, name="objective-list"),
    path("objectives/<int:pk>/", views.objective_detail, name="objective-detail"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator-detail"),
    path("indicators/<int:pk>/report/", views.measurement_report, name="measurement-report"),
    path("indicators/<int:pk>/upload/", views.measurement_upload, name="measurement-upload"),
    path("indicators/<int:pk>/rag-override/", views.rag_override, name="rag-override"),
    path("stocktake/", views.stocktake, name="stocktake"),
    path("use-cases/<int:pk>/contributions/", views.contribution_add, name="contribution-add"),
    path("contributions/<int:pk>/remove/", views.contribution_remove, name="contribution-remove"),
]
