from coursegen.cli import run

run()
