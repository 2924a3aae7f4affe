"""Bulk upload of devices (R-DEV-7): the CSV template, checking a file up front, judging rows, the job."""
