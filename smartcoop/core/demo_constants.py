"""Credentials of the demo accounts of a local deployment (no Django import: scripts use it)."""

DEMO_PASSWORD = "smartcoop-demo"  # noqa: S105 (demo accounts of a local deployment only)
# The TOTP secret of every demo staff account: add it to an authenticator app, or run
# `make totp` to print the current code.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105
