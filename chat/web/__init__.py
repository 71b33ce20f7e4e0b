"""The visitor's HTTP side: the page put together at start-up, its routes, and the static files it
serves.
"""
