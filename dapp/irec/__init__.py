"""I-REC conversion (R-IREC): device groups and their registration at the registry, provisional issuance and its
conversion into I-RECs in whole MWh, redemption. The registry adapter is `registry.py`; its stand-in, the
simulator, is a separate process (`simulator/`) that the application never imports."""
