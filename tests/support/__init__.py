"""Helpers shared by the test modules: the only place, with ``conftest.py``, that a test imports from.

- :mod:`support.paths` — the repository, the shipped instances, the spec's examples and their results.
- :mod:`support.instances` — instance builders: hand-computable instances, an infeasible one, the
  spec example c01, shipped instances loaded and written as files.
- :mod:`support.solving` — solving with the independent check on every plan; solved plan folders;
  the spec examples as pytest params.
- :mod:`support.pages` — checks of a written HTML page.
- :mod:`support.feasibility` — the independent feasibility checker (standard library only: it reads
  the instance JSON and ``solution.json``, never ``optimizer``).
- :mod:`support.instance_strategies` — hypothesis strategies: random valid instances and mutations.
- :mod:`support.properties` — the reliability properties, shared with ``benchmarks/reliability.py``.

Test modules never import each other (``tests/test_test_imports.py`` holds them to it). ``tests/`` is
on ``sys.path`` (pytest's rootdir conftest), so this package imports as ``support``.
"""
