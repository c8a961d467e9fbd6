"""The site's Jinja2 templates and static files, shipped as `monitor.dashboards` (pyproject.toml)."""
