from __future__ import annotations

from django.urls import path

from aihq.energy import views

urlpatterns = [
    path("energy/", views.overview, name="energy"),
    path("energy/sites/new/", views.site_create, name="site-create"),
    path("energy/sites/<int:pk>/", views.site_edit, name="site-edit"),
    path("energy/scenarios/new/", views.scenario_create, name="scenario-create"),
    path("energy/scenarios/<int:pk>/", views.scenario_detail, name="scenario-detail"),
    path("energy/scenarios/<int:pk>/edit/", views.scenario_edit, name="scenario-edit"),
    path("energy/scenarios/<int:pk>/run/", views.scenario_run, name="scenario-run"),
    path("energy/runs/<int:pk>.csv", views.run_csv, name="run-csv"),
    path("use-cases/<int:pk>/compute-profile/", views.profile_set, name="compute-profile-set"),
]
