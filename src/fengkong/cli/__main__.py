from fengkong.cli import main

main()
