"""Prepare: a validated instance as numpy arrays (periods, demand curves, discount factors,
payment coefficients, masks) that the model is built from."""
