"""Which connector serves which network.

``get(network)`` gives the connector instance; ``supports(network, capability)`` says whether it can do
something. Connectors register themselves with ``@register`` when their module is imported; ``_load`` imports
the built-in ones once. Tests and benchmarks may ``register`` a connector of their own (a loopback sink) and
``unregister`` it after; processes they start (workers) load extra connector modules named, comma-separated, in
the environment variable ``HARMONIE_EXTRA_CONNECTORS``.
"""

from __future__ import annotations

import importlib
import os

from harmonie.connectors.base import Capability, Connector

BUILTIN_MODULES = (
    "harmonie.connectors.bluesky",
    "harmonie.connectors.mastodon",
    "harmonie.connectors.x",
    "harmonie.connectors.linkedin",
    "harmonie.connectors.meta",
    "harmonie.connectors.youtube",
    "harmonie.connectors.pinterest",
)

_registry: dict[str, Connector] = {}
_loaded = False


class UnknownNetwork(LookupError):
    pass


def register[C: type[Connector]](cls: C) -> C:
    """Class decorator: make ``cls`` the connector of ``cls.network``."""
    _registry[cls.network] = cls()
    return cls


def unregister(network: str) -> None:
    _registry.pop(network, None)


def _load() -> None:
    global _loaded  # noqa: PLW0603 - imported once per process
    if _loaded:
        return
    for module in BUILTIN_MODULES:
        importlib.import_module(module)
    for module in os.environ.get("HARMONIE_EXTRA_CONNECTORS", "").split(","):
        if module.strip():
            importlib.import_module(module.strip())  # asked for by name: a missing one is an error
    _loaded = True


def get(network: str) -> Connector:
    _load()
    try:
        return _registry[network]
    except KeyError:
        raise UnknownNetwork(f"No connector for the network {network!r}.") from None


def supports(network: str, capability: Capability) -> bool:
    _load()
    connector = _registry.get(network)
    return connector is not None and capability in connector.capabilities()


def networks() -> list[str]:
    _load()
    return sorted(_registry)
