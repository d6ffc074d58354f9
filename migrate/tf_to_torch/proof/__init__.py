"""Proof by execution of the TF <-> torch table (kept out of the plug-in modules: it imports numpy)."""
