import sys

from nudges_cli.cli import main

sys.exit(main())
