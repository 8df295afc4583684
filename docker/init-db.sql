-- Run once by the postgres image on an empty data volume (mounted into /docker-entrypoint-initdb.d).
-- One server, three databases, as in the local setup:
--   airflow    Airflow's metadata (AIRFLOW__DATABASE__SQL_ALCHEMY_CONN) and the Celery result backend
--   warehouse  the ELT warehouse: raw_*, SQLMesh layers and state (ELT_WAREHOUSE_URL, AIRFLOW_CONN_WAREHOUSE)
--   app        the simulated app database the el__app DAG extracts from (ELT_APP_DB_URL, AIRFLOW_CONN_APP_DB)
CREATE DATABASE airflow;
CREATE DATABASE warehouse;
CREATE DATABASE app;
