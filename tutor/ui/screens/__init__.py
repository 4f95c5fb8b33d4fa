"""Full screens of the app: the lesson list, a lesson, help."""
