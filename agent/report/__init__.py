"""Reports of a round: JSON, Markdown and a self-contained HTML page with charts (``agent.report.files``)."""
