"""Device registry: developers' solar devices (identity, attributes, time zone), My devices, bulk uploads of
devices from CSV, and projects (developer device groups)."""
