"""``python -m storage.migrate``: bring the database schema up to date, then stop (the Procfile's
``release`` step). The bot also does this at start-up; running it once before a deploy keeps
several web processes from racing to do it."""

from bot.bootstrap import prepare

if __name__ == "__main__":
    prepare()
