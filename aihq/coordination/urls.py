from __future__ import annotations

from django.urls import path

from aihq.coordination import views

urlpatterns = [
    path("coordination/", views.review, name="coordination"),
    path("coordination/decide/", views.decide, name="coordination-decide"),
    path("coordination/run/", views.run, name="coordination-run"),
    path("coordination/organisations/<str:code>/", views.organisation_report, name="coordination-organisation"),
    path("use-cases/similar-preview/", views.similar_preview, name="usecase-similar-preview"),
]
