import sys

from quarterhour.cli import main

sys.exit(main())
