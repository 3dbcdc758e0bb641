"""Checks that need nothing else of the package: the table descriptions, the layout of a figure's words."""
