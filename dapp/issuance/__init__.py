"""Issuance: windows, certification of energy into certificates, and the certificates buyers own."""
