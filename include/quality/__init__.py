"""Great Expectations after the build: the GX context (context.py), the suites as code (rules.py,
model_rules.py, suites/), the checkpoint runner (runner.py), the results table (results.py) and the
callables of the quality DAG (tasks.py)."""
