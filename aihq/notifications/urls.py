"""Pages of the notifications app: the notification centre and each person's preferences."""

from __future__ import annotations

from django.urls import path

from aihq.notifications import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/preferences/", views.notification_preferences, name="notification-preferences"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
]
