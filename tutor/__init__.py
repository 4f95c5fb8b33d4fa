"""tutor: an interactive terminal tutor for the PyTorch foundations of large language models."""

__version__ = "0.1.0"
