# reference_events.sh: field-level agreement with an independent parser (see the .py).
exec python3 "$(dirname "$0")/reference_events.py"
