"""Reports: a plan's page and the comparison of plans, as Markdown and self-contained HTML with
SVG charts, read from solution folders only."""
