"""Widgets of the app; each renders plain data handed down by its screen."""
