from __future__ import annotations

from django.urls import path

from aihq.energy import views

urlpatterns = [
    path("energy/", views.overview, name="energy"),
    path("energy/sites/new/", views.site_create, name="site-create"),
    path("energy/sites/<int:pk>/", views.site_edit, name="site-edit"),
    path("energy/scenarios/<int:pk>/", views.scenario_detail, name="scenario-detail"),
    path("energy/scenarios/<int:pk>/run/", views.scenario_run, name="scenario-run"),
    path("energy/runs/<int:pk>.csv", views.run_csv, name="run-csv"),
]
