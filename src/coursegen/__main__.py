from coursegen.cli import main

raise SystemExit(main())
