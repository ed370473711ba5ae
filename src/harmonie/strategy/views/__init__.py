"""The strategy pages: overview, objectives and KPIs, audiences, brand platform, charter, advisor, cadence,
strategy document. One module per area; each view parses input, calls one service or selector, renders."""
