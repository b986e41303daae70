import sys

try:
    from coursegen.cli import run
except KeyboardInterrupt:  # Ctrl-C while Python loads coursegen: nothing was started
    print("interrupted; the previous site was left as it was", file=sys.stderr)
    sys.exit(130)

run()
