from __future__ import annotations

import pytest

from harmonie.governance.models import Organization
from harmonie.strategy.demo import load_demo


@pytest.fixture
def strategy_demo(demo_org: Organization) -> Organization:
    load_demo(demo_org)
    return demo_org
