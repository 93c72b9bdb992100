"""The course package the notebooks import: self-checks, plots, widgets, data."""
