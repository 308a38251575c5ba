from __future__ import annotations

from django.urls import path

from aihq.regulation import views

urlpatterns = [
    path("regulation/", views.overview, name="regulation"),
    path("regulation/matrix/", views.matrix, name="compliance-matrix"),
    path("regulation/requirements/", views.requirement_list, name="requirement-list"),
    path("regulation/requirements/<int:pk>/", views.requirement_detail, name="requirement-detail"),
    path("regulation/requirements/<int:pk>/evidence/", views.evidence_add, name="evidence-add"),
    path("regulation/evidence/<int:pk>/download/", views.evidence_download, name="evidence-download-page"),
    path("regulation/evidence/<int:pk>/remove/", views.evidence_remove, name="evidence-remove"),
    path("regulation/risks/", views.risk_list, name="risk-list"),
    path("regulation/risks/<int:pk>/", views.risk_edit, name="risk-edit"),
    path("regulation/risks/<int:pk>/delete/", views.risk_delete, name="risk-delete"),
    path("regulation/incidents/", views.incident_list, name="incident-list"),
    path("regulation/incidents/<int:pk>/", views.incident_detail, name="incident-detail"),
    path("regulation/incidents/<int:pk>/edit/", views.incident_edit, name="incident-edit"),
    path("regulation/incidents/<int:pk>/move/", views.incident_move, name="incident-move"),
    path("regulation/<slug:kind>.<slug:extension>", views.register_export, name="register-export"),
    path("regulation/library/", views.library, name="library"),
    path("regulation/library/<int:pk>/", views.library_detail, name="library-detail"),
    path("regulation/frameworks/", views.framework_list, name="framework-list"),
    path("regulation/frameworks/<int:pk>/", views.framework_detail, name="framework-detail"),
    path("regulation/frameworks/<int:pk>/make-current/", views.framework_make_current, name="framework-make-current"),
    path("use-cases/<int:pk>/classify/<slug:code>/", views.classify, name="classify"),
    path("use-cases/<int:pk>/risks/new/", views.risk_create, name="risk-create"),
    path("use-cases/<int:pk>/incidents/new/", views.incident_create, name="incident-create"),
]
