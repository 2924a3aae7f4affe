"""Pages of devices: My devices, add/edit/delete, details pop-up, CSV export, bulk uploads and projects."""

from dapp.devices.views import devices, projects, uploads
from dapp.devices.views.blueprint import bp

__all__ = ["bp", "devices", "projects", "uploads"]
