"""Access control, PII masking and access logging for the warehouse (the governance DAG's work)."""
