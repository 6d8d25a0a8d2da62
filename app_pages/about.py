"""Om data: where the figures come from, how fresh they are, the last ETL runs."""

from ui.about import render_about

render_about()
