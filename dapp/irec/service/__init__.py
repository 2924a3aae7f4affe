"""Use cases of I-REC conversion, one module each (import the module you need)."""
