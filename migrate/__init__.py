"""dlmigrate: static analysis and migration of deep-learning code."""

__version__ = "0.1.0"
