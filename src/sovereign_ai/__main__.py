from sovereign_ai.cli import main

raise SystemExit(main())
