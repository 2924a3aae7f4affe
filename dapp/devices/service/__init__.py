"""Device use cases (R-DEV), one module per use case: registering, editing and deleting devices, projects, and
the organization's device list with its export. Bulk upload has its own package (dapp.devices.bulk)."""
