"""The governance presets: starting points for the matrix, to be tuned cell by cell.

Each entry: dimension key -> (ownership, creators, local variants). Built-in dimensions follow the
method's advice (seed 001): corporate, financial and crisis stay coherent everywhere; country and
product content is adapted or made locally.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from harmonie.governance.models import Creators, GovernancePreset, LocalVariants, Ownership


class Cell(NamedTuple):
    ownership: str
    creators: str
    local_variants: str


BUILTIN_DIMENSIONS: list[tuple[str, object, object]] = [
    ("corporate", _("Corporate"), _("Group news, values, leadership, corporate reputation.")),
    ("financial", _("Financial"), _("Results, investor relations, regulated financial information.")),
    ("crisis", _("Crisis"), _("Incidents and crisis communication; holding statements.")),
    ("product", _("Product"), _("Products, launches, offers.")),
    ("country", _("Country"), _("Local news, events and proximity content of a market.")),
    ("internal", _("Internal / HR"), _("Employer brand, recruitment, life at the company.")),
]

G_ONLY, G_LED, L_LED, L_FREE = Ownership.GLOBAL_ONLY, Ownership.GLOBAL_LED, Ownership.LOCAL_LED, Ownership.LOCAL_FREE
GT, ML, CM, CO = Creators.GLOBAL_TEAM, Creators.MARKET_LEADS, Creators.COMMUNITY_MANAGERS, Creators.CONTRIBUTORS
NO, ALLOWED, REQUIRED = LocalVariants.NOT_ALLOWED, LocalVariants.ALLOWED, LocalVariants.REQUIRED

PRESETS: dict[str, dict[str, Cell]] = {
    GovernancePreset.CENTRALIZED: {
        "corporate": Cell(G_ONLY, GT, NO),
        "financial": Cell(G_ONLY, GT, NO),
        "crisis": Cell(G_ONLY, GT, NO),
        "product": Cell(G_LED, GT, ALLOWED),
        "country": Cell(G_LED, ML, ALLOWED),
        "internal": Cell(G_ONLY, GT, NO),
    },
    GovernancePreset.MIXED: {
        "corporate": Cell(G_LED, GT, ALLOWED),
        "financial": Cell(G_ONLY, GT, NO),
        "crisis": Cell(G_LED, GT, REQUIRED),
        "product": Cell(G_LED, ML, ALLOWED),
        "country": Cell(L_LED, CM, ALLOWED),
        "internal": Cell(L_LED, ML, ALLOWED),
    },
    GovernancePreset.DECENTRALIZED: {
        "corporate": Cell(G_LED, ML, ALLOWED),
        "financial": Cell(G_ONLY, GT, NO),
        "crisis": Cell(G_LED, GT, REQUIRED),
        "product": Cell(L_LED, CM, ALLOWED),
        "country": Cell(L_FREE, CO, ALLOWED),
        "internal": Cell(L_FREE, CM, ALLOWED),
    },
}

# A custom dimension gets this cell under each preset.
CUSTOM_DEFAULT: dict[str, Cell] = {
    GovernancePreset.CENTRALIZED: Cell(G_LED, GT, ALLOWED),
    GovernancePreset.MIXED: Cell(L_LED, ML, ALLOWED),
    GovernancePreset.DECENTRALIZED: Cell(L_FREE, CM, ALLOWED),
    GovernancePreset.CUSTOM: Cell(L_LED, ML, ALLOWED),
}


def preset_cell(preset: str, dimension_key: str) -> Cell:
    return PRESETS.get(preset, {}).get(dimension_key) or CUSTOM_DEFAULT[preset]
