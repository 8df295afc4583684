"""The meta_ads source: mock API, fetch functions and manifest."""
