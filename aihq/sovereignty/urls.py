from __future__ import annotations

from django.urls import path

from aihq.sovereignty import views

urlpatterns = [
    path("sovereignty/", views.dashboard, name="sovereignty"),
    path("sovereignty/help/", views.help_page, name="sovereignty-help"),
    path("sovereignty/suppliers/", views.supplier_list, name="supplier-list"),
    path("sovereignty/suppliers/new/", views.supplier_create, name="supplier-create"),
    path("sovereignty/suppliers/<int:pk>/", views.supplier_detail, name="supplier-detail"),
    path("sovereignty/components/", views.component_list, name="component-list"),
    path("sovereignty/components/new/", views.component_create, name="component-create"),
    path("sovereignty/components/<int:pk>/", views.component_detail, name="component-detail"),
    path("sovereignty/agreements/", views.agreement_list, name="agreement-list"),
    path("sovereignty/agreements/new/", views.agreement_edit, name="agreement-create"),
    path("sovereignty/agreements/<int:pk>/", views.agreement_edit, name="agreement-edit"),
    path("sovereignty/scenarios/", views.scenario_list, name="cutoff-list"),
    path("sovereignty/scenarios/new/", views.scenario_edit, name="cutoff-create"),
    path("sovereignty/scenarios/<int:pk>/", views.scenario_detail, name="cutoff-detail"),
    path("sovereignty/scenarios/<int:pk>/edit/", views.scenario_edit, name="cutoff-edit"),
    path("sovereignty/settings/", views.settings_page, name="sovereignty-settings-page"),
    path("sovereignty/bom/<int:pk>/remove/", views.bom_remove, name="bom-remove"),
    path("use-cases/<int:pk>/aibom/add/", views.bom_add, name="bom-add"),
    path("use-cases/<int:pk>/aibom/import/", views.aibom_import, name="aibom-import"),
    path("use-cases/<int:pk>/aibom.cdx.json", views.aibom_export, name="aibom-export"),
]
