"""Results: the Solution (tables read back from the solver), its folder on disk, binding limits
and shadow prices, and the key figures (KPIs)."""
