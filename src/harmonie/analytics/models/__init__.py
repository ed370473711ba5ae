"""Analytics models, one module per area: collected metrics (``metrics``), tracking and entered data (``tracking``),
reports and exports (``reports``)."""

from harmonie.analytics.models.metrics import (
    ChannelCollection,
    ChannelDailyStat,
    ChannelMonthlyStat,
    PostCollection,
    PostMetricSnapshot,
)
from harmonie.analytics.models.reports import ExportJob, ReportDelivery, ReportSchedule
from harmonie.analytics.models.tracking import (
    LeadEntry,
    LinkClick,
    MediaType,
    PromoCode,
    PromoRedemption,
    ShortLink,
    SpendEntry,
    UtmPreset,
)

__all__ = [
    "ChannelCollection",
    "ChannelDailyStat",
    "ChannelMonthlyStat",
    "ExportJob",
    "LeadEntry",
    "LinkClick",
    "MediaType",
    "PostCollection",
    "PostMetricSnapshot",
    "PromoCode",
    "PromoRedemption",
    "ReportDelivery",
    "ReportSchedule",
    "ShortLink",
    "SpendEntry",
    "UtmPreset",
]
