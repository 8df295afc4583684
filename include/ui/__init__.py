"""The pages the Airflow UI plugin (plugins/elt_platform.py) shows: platform health, model lineage, data docs."""
