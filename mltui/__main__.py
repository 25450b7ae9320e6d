from mltui.cli import main

raise SystemExit(main())
