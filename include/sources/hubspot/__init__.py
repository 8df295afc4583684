"""HubSpot CRM: manifest, fetch functions (api.py), mock API (mock.py) and README."""
