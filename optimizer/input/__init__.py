"""Input: the instance schema (pydantic), loading and validation with JSON-path messages, dotted
paths into an instance (for sweeps), and generated synthetic instances."""
