"""`tutor serve`: a class on one server (SSH server, shared runner, class directory, report).

Nothing here imports Textual or torch: the teacher's view is tutor.ui.teacher, the runner's
processes are tutor.runner's.
"""
