"""The duties' rule files, shipped inside the package as `monitor.rules_data` (pyproject.toml)."""
