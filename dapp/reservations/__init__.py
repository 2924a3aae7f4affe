"""Buyer reservations (R-RES): the device catalogue, creating, changing and ending reservations, device
exclusivity (a database constraint), release after the 12-hour cool-down, and the reservation log on chain."""
