from dinogen.cli import main

main()
