"""``dlmigrate validate``: run the original and the rewritten program and compare what they compute.

``executor.py`` runs inside the user's process and must stay standalone (stdlib,
numpy and the framework under test only); everything else runs in dlmigrate.
"""
