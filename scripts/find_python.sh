#!/bin/sh
# Prints the path of a Python >= 3.12 (Django 6.1 needs it), or fails saying what to install.
for candidate in "${PYTHON:-}" python3.14 python3.13 python3.12 python3 \
    "$HOME/.pyenv/versions/3.13.0/bin/python3" "$HOME/.pyenv/versions/3.12.1/bin/python3" \
    /root/.pyenv/versions/3.13.0/bin/python3 /root/.pyenv/versions/3.12.1/bin/python3; do
  [ -n "$candidate" ] || continue
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$path"; exit 0
  fi
done
echo "smartcoop needs Python 3.12 or newer: install it (or set PYTHON=/path/to/python3.12)" >&2
exit 1
