"""Solve: solver options, the model compiled to arrays and handed to HiGHS, the size and
coefficient checks before it, and in-place re-solves."""
