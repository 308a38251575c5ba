"""The REST API under /api/v1/."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from aihq.accounts.api.views import MembershipViewSet, SsoMappingViewSet
from aihq.audit.api.views import AuditEventViewSet
from aihq.coordination.api.views import DuplicatesView, PairDecisionViewSet, SimilarUseCasesView
from aihq.energy.api.views import (
    ComputeProfileViewSet,
    ComputeSiteViewSet,
    ExogenousLoadViewSet,
    ScenarioRunViewSet,
    ScenarioViewSet,
)
from aihq.evaluation.api.views import (
    BenefitMeasurementViewSet,
    BenefitMetricViewSet,
    CostLineViewSet,
    EvaluationSettingsView,
    GateConditionViewSet,
    GateReviewViewSet,
    PortfolioView,
    UseCaseEvaluationView,
)
from aihq.exchange.api.views import ImportRunViewSet
from aihq.notifications.api.views import NotificationPreferencesView, NotificationViewSet
from aihq.objectives.api.views import ContributionViewSet, IndicatorViewSet, MeasurementViewSet, ObjectiveViewSet
from aihq.publication.api.views import PublicationProfileView, PublicationViewSet
from aihq.registry.api.views import OrganisationViewSet, RegionViewSet, SectorViewSet, UseCaseViewSet
from aihq.regulation.api.views import (
    ClassificationViewSet,
    EvidenceViewSet,
    FrameworkViewSet,
    IncidentViewSet,
    PublicIncidentViewSet,
    RequirementViewSet,
    RiskViewSet,
)
from aihq.routines.api.views import ReportingCycleViewSet, SubmissionViewSet, TasksView
from aihq.sovereignty.api.views import (
    AgreementViewSet,
    AibomView,
    BomEntryViewSet,
    ComponentViewSet,
    CutoffScenarioViewSet,
    SettingsView,
    SovereigntySummaryView,
    SupplierViewSet,
)
from aihq.webhooks.api.views import DeliveryViewSet, EndpointViewSet

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("regions", RegionViewSet, basename="region")
router.register("sectors", SectorViewSet, basename="sector")
router.register("use-cases", UseCaseViewSet, basename="usecase")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("sso-mappings", SsoMappingViewSet, basename="ssomapping")
router.register("audit-events", AuditEventViewSet, basename="auditevent")
router.register("imports", ImportRunViewSet, basename="importrun")
router.register("objectives", ObjectiveViewSet, basename="objective")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("measurements", MeasurementViewSet, basename="measurement")
router.register("contributions", ContributionViewSet, basename="contribution")
router.register("compute-sites", ComputeSiteViewSet, basename="computesite")
router.register("compute-profiles", ComputeProfileViewSet, basename="computeprofile")
router.register("exogenous-loads", ExogenousLoadViewSet, basename="exogenousload")
router.register("scenarios", ScenarioViewSet, basename="scenario")
router.register("scenario-runs", ScenarioRunViewSet, basename="scenariorun")
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("classifications", ClassificationViewSet, basename="classification")
router.register("requirements", RequirementViewSet, basename="requirement")
router.register("evidence", EvidenceViewSet, basename="evidence")
router.register("risks", RiskViewSet, basename="risk")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("public-incidents", PublicIncidentViewSet, basename="publicincident")
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("components", ComponentViewSet, basename="component")
router.register("bom-entries", BomEntryViewSet, basename="bomentry")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("cutoff-scenarios", CutoffScenarioViewSet, basename="cutoffscenario")
router.register("publications", PublicationViewSet, basename="publication")
router.register("pair-decisions", PairDecisionViewSet, basename="pairdecision")
router.register("benefit-metrics", BenefitMetricViewSet, basename="benefitmetric")
router.register("benefit-measurements", BenefitMeasurementViewSet, basename="benefitmeasurement")
router.register("costs", CostLineViewSet, basename="costline")
router.register("gate-reviews", GateReviewViewSet, basename="gatereview")
router.register("gate-conditions", GateConditionViewSet, basename="gatecondition")
router.register("notifications", NotificationViewSet, basename="notification-api")
router.register("reporting-cycles", ReportingCycleViewSet, basename="reportingcycle")
router.register("cycle-confirmations", SubmissionViewSet, basename="submission")
router.register("webhook-endpoints", EndpointViewSet, basename="webhookendpoint")
router.register("webhook-deliveries", DeliveryViewSet, basename="webhookdelivery")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the Content-Security-Policy allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("use-cases/<int:pk>/aibom/", AibomView.as_view(), name="use-case-aibom"),
    path("sovereignty/summary/", SovereigntySummaryView.as_view(), name="sovereignty-summary"),
    path("sovereignty/settings/", SettingsView.as_view(), name="sovereignty-settings"),
    path("publication-profile/", PublicationProfileView.as_view(), name="publication-profile-api"),
    path("use-cases/<int:pk>/similar/", SimilarUseCasesView.as_view(), name="use-case-similar"),
    path("duplicates/", DuplicatesView.as_view(), name="duplicates"),
    path("use-cases/<int:pk>/evaluation/", UseCaseEvaluationView.as_view(), name="use-case-evaluation"),
    path("portfolio/", PortfolioView.as_view(), name="portfolio"),
    path("evaluation-settings/", EvaluationSettingsView.as_view(), name="evaluation-settings-api"),
    path("tasks/", TasksView.as_view(), name="tasks"),
    path("notification-preferences/", NotificationPreferencesView.as_view(), name="notification-preferences-api"),
    path("", include(router.urls)),
]
