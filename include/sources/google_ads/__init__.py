"""The google_ads source: mock API, fetch functions and manifest."""
