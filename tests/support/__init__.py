"""Test helpers shared across suites: real servers, real stores, model registries, data."""
