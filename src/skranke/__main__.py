from skranke.cli import main

raise SystemExit(main())
