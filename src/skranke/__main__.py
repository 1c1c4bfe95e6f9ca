from skranke.console import main

raise SystemExit(main())
