"""Names of technologies and parameters in the reader's language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

TECHNOLOGIES = {
    "gas_combined_cycle": _("Gas, combined cycle"),
    "gas_open_cycle": _("Gas, open cycle"),
    "onshore_wind": _("Onshore wind"),
    "utility_solar": _("Utility solar"),
    "hydro_reservoir": _("Hydro (reservoir)"),
    "coal": _("Coal"),
    "nuclear": _("Nuclear"),
}
PARAMETERS = {
    "server_kw": _("Server power per accelerator"),
    "utilisation": _("Utilisation"),
    "utilisation_final": _("Utilisation in the last year"),
    "pue": _("PUE"),
    "pue_final": _("PUE in the last year"),
    "efficiency_gain": _("Accelerator efficiency gain a year"),
    "demand_growth": _("Demand growth a year"),
    "reserve_margin": _("Reserve margin"),
    "data_centre_capex_usd_per_mw": _("Data-centre capex per MW"),
    "rub_per_usd": _("Roubles per dollar"),
}


@register.filter
def technology(code: str) -> str:
    return str(TECHNOLOGIES.get(code, code))


@register.filter
def parameter(name: str) -> str:
    """A sampled parameter's name; ``capex_usd_per_kw.TECH`` as the technology's capex."""
    if name.startswith("capex_usd_per_kw."):
        return str(_("Capex per kW: %(technology)s") % {"technology": technology(name.split(".", 1)[1])})
    return str(PARAMETERS.get(name, name))


@register.inclusion_tag("energy/_use_case_compute.html", takes_context=True)
def use_case_compute(context: dict[str, Any], use_case: Any) -> dict[str, Any]:
    """A use case's compute profile, and (for its editors) the form to set it."""
    from aihq.accounts.permissions import can_change
    from aihq.energy.forms import ComputeProfileForm
    from aihq.energy.models import ComputeProfile

    user = context["request"].user
    profile = (
        ComputeProfile.objects.restrict(user, "view").filter(use_case=use_case).select_related("host_region").first()
    )
    return {
        "use_case": use_case,
        "profile": profile,
        "form": ComputeProfileForm(instance=profile) if can_change(user, use_case) else None,
        "csrf_token": context.get("csrf_token"),
    }
