"""The teacher's view of `tutor serve`: the class live, and a message to everyone."""
