"""Pages of the webhooks app."""

from __future__ import annotations

from django.urls import path

from aihq.webhooks import views

urlpatterns = [
    path("webhooks/", views.endpoint_list, name="webhook-list"),
    path("webhooks/new/", views.endpoint_create, name="webhook-create"),
    path("webhooks/<int:pk>/", views.endpoint_detail, name="webhook-detail"),
    path("webhooks/<int:pk>/edit/", views.endpoint_edit, name="webhook-edit"),
    path("webhooks/<int:pk>/delete/", views.endpoint_delete, name="webhook-delete"),
    path("webhooks/<int:pk>/rotate-secret/", views.endpoint_rotate, name="webhook-rotate"),
    path("webhooks/<int:pk>/test/", views.endpoint_test, name="webhook-test"),
    path("webhooks/deliveries/<int:pk>/", views.delivery_detail, name="webhook-delivery"),
    path("webhooks/deliveries/<int:pk>/redeliver/", views.delivery_redeliver, name="webhook-redeliver"),
]
