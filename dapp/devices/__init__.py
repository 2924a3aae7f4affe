"""Device registry: developers' solar devices, their identity, attributes and time zone."""
