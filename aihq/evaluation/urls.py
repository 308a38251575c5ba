from __future__ import annotations

from django.urls import path

from aihq.evaluation import views

urlpatterns = [
    path("evaluation/", views.portfolio, name="evaluation"),
    path("evaluation/settings/", views.evaluation_settings, name="evaluation-settings"),
    path("evaluation/weights/", views.save_weights, name="evaluation-weights"),
    path("evaluation/briefing.pdf", views.briefing_download, name="evaluation-briefing"),
    path("evaluation/metrics/<int:pk>/edit/", views.metric_edit, name="evaluation-metric-edit"),
    path("evaluation/costs/<int:pk>/edit/", views.cost_edit, name="evaluation-cost-edit"),
    path("use-cases/<int:pk>/evaluation/", views.use_case_evaluation, name="usecase-evaluation"),
]
