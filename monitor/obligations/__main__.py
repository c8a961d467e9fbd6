"""Print the facts each builder declares, as docs/duties.md lists them."""

from monitor import obligations
from monitor.facts import facts_markdown

assert obligations  # registers the builders

print(facts_markdown(), end="")
