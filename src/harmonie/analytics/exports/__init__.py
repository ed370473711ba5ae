"""Exports: dataset definitions (``datasets``) and streaming CSV/XLSX writers (``writers``)."""
