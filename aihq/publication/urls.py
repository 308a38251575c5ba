from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import path

from aihq.publication import views

urlpatterns = [
    path("publication/", views.dashboard, name="publication"),
    path("publication/profile/", views.profile_edit, name="publication-profile"),
    path("publication/records/<int:pk>/", login_required(views.record_by_id), name="publication-record"),
    path("use-cases/<int:pk>/publication/", views.use_case_publication, name="usecase-publication"),
]
