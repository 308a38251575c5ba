"""Evaluation pages: a use case's benefits, costs, cost–benefit figures and stage-gate reviews; the portfolio
with its what-if weights, scale and stop candidates; the HQ's settings; the briefing pack download."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aihq.accounts.permissions import can_change, coordinates, get_object_for_user, scope_for
from aihq.core.forms import form_errors_text, run_service
from aihq.core.views import form_page, querystring, require_hq_admin_page
from aihq.evaluation import charts, selectors, services
from aihq.evaluation.forms import (
    CRITERION_LABELS,
    BriefingForm,
    CostForm,
    DecisionForm,
    MeasurementForm,
    MetricForm,
    ReviewRequestForm,
    SettingsForm,
    WeightsForm,
    current_period,
)
from aihq.evaluation.models import CostLine
from aihq.registry.models import Organisation, Stage, UseCase
from aihq.registry.selectors import organisation_list, organisation_subtree_ids, use_case_list

ACTIONS = ("add_metric", "delete_metric", "add_measurement", "delete_measurement", "add_cost", "delete_cost",
           "request_review", "decide", "condition_met")  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def use_case_evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    use_case = get_object_for_user(use_case_list(request.user), request.user, pk)
    editable = can_change(request.user, use_case)
    settings = services.current_settings()
    forms: dict[str, Any] = {
        "metric": MetricForm(prefix="metric"),
        "cost": CostForm(prefix="cost", use_case=use_case, currency=settings.currency),
        "review": ReviewRequestForm(prefix="review", stage=use_case.stage),
    }
    failed: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise PermissionDenied
        if _post(request, action, use_case, forms, failed, settings.currency):
            return redirect("usecase-evaluation", pk=use_case.pk)
    evaluation = selectors.for_use_case(use_case)
    reviews = list(selectors.reviews(request.user).filter(use_case=use_case))
    decide_forms = {
        review.pk: failed.get(f"decide-{review.pk}")
        or DecisionForm(prefix=f"decide-{review.pk}", initial={"version": review.version})
        for review in reviews
        if review.is_open and services.can_decide(request.user, review)
    }
    measurement_forms = {
        result.metric.pk: failed.get(f"measurement-{result.metric.pk}")
        or MeasurementForm(prefix=f"measurement-{result.metric.pk}")
        for result in evaluation.metrics
    }
    with charts.number_style(charts.style_for(request.LANGUAGE_CODE)):
        chart = _by_year_chart(evaluation)
    return render(
        request,
        "evaluation/use_case_evaluation.html",
        {
            "use_case": use_case,
            "editable": editable,
            "settings": settings,
            "gated_labels": [str(Stage(s).label) for s in settings.gated_stages if s in Stage.values],
            "evaluation": evaluation,
            "flows": list(
                zip(
                    evaluation.years,
                    evaluation.planned_costs,
                    evaluation.actual_costs,
                    evaluation.promised_benefits,
                    evaluation.delivered_benefits,
                    strict=True,
                )
            ),
            "chart": chart,
            "costs": list(
                CostLine.objects.filter(use_case=use_case)
                .select_related("compute_profile")
                .order_by("year", "category", "kind")
            ),
            "forms": forms,
            "measurement_forms": measurement_forms,
            "reviews": reviews,
            "decide_forms": decide_forms,
            "evidence": selectors.gate_evidence(use_case, evaluation) if decide_forms else None,
            "criterion_labels": CRITERION_LABELS,
            "reviewer_choices": selectors.reviewer_choices(use_case) if decide_forms else [],
            "approver": coordinates(request.user, use_case.organisation_id),
        },
    )


def _by_year_chart(evaluation: selectors.Evaluation) -> str:
    if not evaluation.years:
        return ""
    return charts.column_chart(
        [str(y) for y in evaluation.years],
        [
            (_("Planned cost"), evaluation.planned_costs, charts.GREY),
            (_("Actual cost"), evaluation.actual_costs, charts.NAVY),
            (_("Promised benefit"), evaluation.promised_benefits, "#7fb3d5"),
            (_("Delivered benefit"), evaluation.delivered_benefits, charts.GREEN),
        ],
        title=_("Costs and benefits by year"),
        unit=evaluation.currency,
        width=760,
        empty_text=_("No data"),
    )


def _post(
    request: HttpRequest, action: str, use_case: UseCase, forms: dict[str, Any], failed: dict[str, Any], currency: str
) -> bool:
    """Run one form's action; True when done (the page redirects), False with the errors kept on the form."""
    user = request.user
    target = request.POST.get("target", "")
    form: Any
    call: Callable[[], Any]
    if action == "add_metric":
        form = forms["metric"] = MetricForm(request.POST, prefix="metric")
        call = lambda: services.metric_create(actor=user, use_case=use_case, **_fields(form))  # noqa: E731
        done_message = _("Benefit metric added.")
    elif action == "add_cost":
        form = forms["cost"] = CostForm(request.POST, prefix="cost", use_case=use_case, currency=currency)
        call = lambda: services.cost_create(actor=user, use_case=use_case, **_fields(form))  # noqa: E731
        done_message = _("Cost added.")
    elif action == "add_measurement":
        metric = get_object_for_user(selectors.metrics(user).filter(use_case=use_case), user, target)
        form = failed[f"measurement-{metric.pk}"] = MeasurementForm(request.POST, prefix=f"measurement-{metric.pk}")
        call = lambda: services.measurement_add(actor=user, metric=metric, **form.cleaned_data)  # noqa: E731
        done_message = _("Measurement recorded.")
    elif action == "request_review":
        form = forms["review"] = ReviewRequestForm(request.POST, prefix="review", stage=use_case.stage)
        call = lambda: services.review_request(actor=user, use_case=use_case, **form.cleaned_data)  # noqa: E731
        done_message = _("Review requested: a coordinator of the organisation or an HQ admin decides.")
    elif action == "decide":
        review = get_object_for_user(selectors.reviews(user).filter(use_case=use_case), user, target)
        form = failed[f"decide-{review.pk}"] = DecisionForm(request.POST, prefix=f"decide-{review.pk}")
        reviewer_ids = [int(v) for v in request.POST.getlist(f"decide-{review.pk}-reviewers") if v.isdigit()]

        def call() -> Any:
            data = form.cleaned_data
            return services.review_decide(
                actor=user,
                review=review,
                decision=data["decision"],
                rationale=data["rationale"],
                criteria=form.criteria(),
                conditions=data["conditions"],
                reviewers=list(selectors.reviewer_choices(use_case).filter(pk__in=reviewer_ids)),
                expected_version=data.get("version"),
            )

        done_message = _("Decision recorded.")
    else:
        return _delete_or_tick(request, action, use_case, target)
    if form.is_valid() and run_service(form, call)[0]:
        messages.success(request, done_message)
        return True
    messages.error(request, form_errors_text(form) or _("The form has errors."))
    return False


def _fields(form: Any) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    return data


def _delete_or_tick(request: HttpRequest, action: str, use_case: UseCase, target: str) -> bool:
    user = request.user
    try:
        if action == "delete_metric":
            metric = get_object_for_user(selectors.metrics(user).filter(use_case=use_case), user, target)
            services.metric_delete(actor=user, metric=metric)
            messages.success(request, _("Benefit metric deleted with its measurements."))
        elif action == "delete_measurement":
            measurement = get_object_for_user(
                selectors.measurements(user).filter(metric__use_case=use_case), user, target
            )
            services.measurement_delete(actor=user, measurement=measurement)
            messages.success(request, _("Measurement deleted."))
        elif action == "delete_cost":
            cost = get_object_for_user(selectors.costs(user).filter(use_case=use_case), user, target)
            services.cost_delete(actor=user, cost=cost)
            messages.success(request, _("Cost deleted."))
        elif action == "condition_met":
            condition = get_object_for_user(selectors.conditions(user).filter(review__use_case=use_case), user, target)
            services.condition_met(actor=user, condition=condition, met=request.POST.get("met") != "0")
            messages.success(request, _("Condition updated."))
    except ValueError:
        raise Http404 from None
    return True


@login_required
@require_http_methods(["GET", "POST"])
def metric_edit(request: HttpRequest, pk: int) -> HttpResponse:
    metric = get_object_for_user(selectors.metrics(request.user), request.user, pk, "change")
    form = MetricForm(request.POST or None, instance=metric, initial={"version": metric.version})

    def save(version: int | None, data: dict[str, Any]) -> Any:
        services.metric_update(actor=request.user, metric=metric, expected_version=version, **data)
        return metric.use_case

    return form_page(
        request, form, save, "evaluation/edit.html", {"use_case": metric.use_case, "what": metric}, "usecase-evaluation"
    )


@login_required
@require_http_methods(["GET", "POST"])
def cost_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cost: CostLine = get_object_for_user(selectors.costs(request.user), request.user, pk, "change")
    form = CostForm(request.POST or None, instance=cost, use_case=cost.use_case, initial={"version": cost.version})

    def save(version: int | None, data: dict[str, Any]) -> Any:
        services.cost_update(actor=request.user, cost=cost, expected_version=version, **data)
        return cost.use_case

    return form_page(
        request, form, save, "evaluation/edit.html", {"use_case": cost.use_case, "what": cost}, "usecase-evaluation"
    )


def _normalised(weights: dict[str, float]) -> dict[str, float]:
    total = sum(weights.values()) or 1.0
    return {k: round(v / total, 4) for k, v in weights.items()}


def _percent(share: float) -> float | int:
    value = round(share * 100, 1)
    return int(value) if value == int(value) else value


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    settings = services.current_settings()
    weights_form = WeightsForm(
        request.GET or None, initial={k: _percent(v) for k, v in _normalised(settings.weights).items()}
    )
    weights = weights_form.weights(settings.weights) if request.GET else settings.weights
    what_if = _normalised(weights) != _normalised(settings.weights)
    organisation = None
    code = request.GET.get("organisation", "")
    if code:
        organisation = organisation_list(request.user).filter(code=code).first()
    ids = None
    if organisation is not None:
        ids = sorted(organisation_subtree_ids({organisation.pk}))
    data = selectors.portfolio(request.user, weights=weights, organisation_ids=ids)
    page = Paginator(data.rows, 50).get_page(request.GET.get("page"))
    rated = [r for r in data.rows if r.npv is not None][:60]
    with charts.number_style(charts.style_for(request.LANGUAGE_CODE)):
        bubble = _bubble_chart(rated)
    return render(
        request,
        "evaluation/portfolio.html",
        {
            "data": data,
            "page": page,
            "querystring": querystring(request),
            "weights_form": weights_form,
            "what_if": what_if,
            "bubble": bubble,
            "organisation": organisation,
            "organisations": organisation_list(request.user).order_by("code"),
            "open_reviews": selectors.open_reviews(request.user)[:50],
            "overdue_conditions": selectors.overdue_conditions(request.user)[:50],
            "briefing_form": BriefingForm(
                initial={"period": current_period(), "organisation": code, "lang": request.LANGUAGE_CODE[:2]}
            ),
            "is_hq_admin": scope_for(request.user).is_hq_admin,
            "weights_percent": {k: round(v * 100 / (sum(weights.values()) or 1)) for k, v in weights.items()},
        },
    )


def _bubble_chart(rated: list[selectors.PortfolioRow]) -> str:
    return charts.bubble_chart(
        [
            charts.Bubble(
                label=r.use_case.name,
                x=r.npv or 0.0,
                y=r.raw["risk"] or 0.0,
                size=r.pv_costs or 0.0,
                colour=charts.RED if (r.npv or 0) < 0 else charts.NAVY,
            )
            for r in rated
        ],
        title=_("Value against risk (bubble size: cost)"),
        x_label=_("Net present value, plan"),
        y_label=_("Risk score"),
        width=760,
        height=380,
        label_top=5,
        empty_text=_("No use case has enough data for a cost–benefit figure yet."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_settings(request: HttpRequest) -> HttpResponse:
    require_hq_admin_page(request)
    current = services.current_settings()
    form = SettingsForm(request.POST or None, instance=current, initial={"version": current.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        if run_service(form, lambda: services.settings_update(actor=request.user, expected_version=version, **data))[0]:
            messages.success(request, _("Evaluation settings saved."))
            return redirect("evaluation-settings")
    return render(request, "evaluation/settings.html", {"form": form, "settings": current})


@login_required
@require_http_methods(["POST"])
def save_weights(request: HttpRequest) -> HttpResponse:
    """An HQ admin keeps the what-if weights as the HQ's."""
    require_hq_admin_page(request)
    form = WeightsForm(request.POST)
    current = services.current_settings()
    if not form.is_valid() or not any(form.cleaned_data.values()):
        messages.error(request, form_errors_text(form) or _("Give at least one weight above zero."))
        return redirect("evaluation")
    weights = form.weights(current.weights)
    changes: dict[str, Any] = {f"weight_{k}": v for k, v in _normalised(weights).items()}
    try:
        services.settings_update(actor=request.user, **changes)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("These weights are now the HQ's."))
    return redirect("evaluation")


@login_required
def briefing_download(request: HttpRequest) -> HttpResponse:
    """The briefing pack as a PDF, over what the user can see (optionally one organisation and those under it)."""
    from aihq.evaluation import briefing

    form = BriefingForm(request.GET)
    if not form.is_valid():
        return HttpResponse(form_errors_text(form), status=400, content_type="text/plain; charset=utf-8")
    code = form.cleaned_data["organisation"].strip()
    organisation: Organisation | None = None
    if code:
        organisation = organisation_list(request.user).filter(code=code).first()
        if organisation is None:
            raise Http404
    period, lang = form.cleaned_data["period"], form.cleaned_data["lang"]
    pdf = briefing.briefing_pdf(request.user, organisation=organisation, period=period, lang=lang)
    name = f"aihq-briefing-{organisation.code if organisation else 'all'}-{period}-{lang}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
