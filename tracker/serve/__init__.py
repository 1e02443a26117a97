"""``tracker serve``: a read-only web page and JSON API over the projections (Starlette)."""
