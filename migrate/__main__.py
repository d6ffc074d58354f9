from migrate.cli import run

run()
