"""Analysis: why an instance is infeasible (elastic diagnosis, IIS), two-stage plans under
scenarios and the value of hedging."""
