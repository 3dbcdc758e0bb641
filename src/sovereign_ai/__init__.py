"""Recreate the figures of a report on sovereign AI and analyse Japan's
dependence on foreign cloud providers, with parameterized notebooks."""

__version__ = "0.1.0"
