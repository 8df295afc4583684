"""Iterable (lifecycle email): manifest, fetch functions, mock API. See README.md."""
