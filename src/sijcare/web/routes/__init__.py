"""Route modules: each exposes `router` and optionally `nav_links` (see `web.app`)."""
