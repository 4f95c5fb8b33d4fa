"""The Textual app: a thin layer that renders the core's plain data and posts messages."""
