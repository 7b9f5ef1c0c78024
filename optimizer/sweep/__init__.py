"""Sweeps: many solves of one instance with values changed, on local processes or a Dask
cluster, and the NPV-against-concentration frontier built on them."""
