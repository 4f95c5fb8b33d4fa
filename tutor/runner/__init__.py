"""Out-of-process PyTorch execution: a zygote imports torch once and forks a worker per namespace.

Kept free of imports so that `python -m tutor.runner.zygote_main` starts as fast as torch allows.
"""
