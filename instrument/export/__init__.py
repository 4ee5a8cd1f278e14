"""Exports of an instrument's text: clean Markdown, HTML and the formats to come, one module each."""
