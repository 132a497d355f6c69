"""Dose and combination assessment (pure engines over the knowledge base)."""
