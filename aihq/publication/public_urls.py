from __future__ import annotations

from django.urls import path

from aihq.publication import public_views as views

urlpatterns = [
    path("", views.register, name="register"),
    path("data/", views.open_data, name="register-open-data"),
    path("schema.json", views.schema, name="register-schema"),
    path("register.<str:kind>", views.dump, name="register-dump"),
    path("records/<int:pk>/", views.record, name="register-record"),
    path("records/<int:pk>/versions/<int:number>/", views.record, name="register-record-version"),
    path("records/<int:pk>.json", views.record_json, name="register-record-json"),
]
