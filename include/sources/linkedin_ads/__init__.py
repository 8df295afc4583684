"""The linkedin_ads source: mock API, fetch functions and manifest."""
