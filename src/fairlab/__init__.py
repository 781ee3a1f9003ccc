"""Fairlab."""
