"""What both endpoints do with a chat: each operation writes the store first, then announces on the
hub (the one way out to a socket).
"""
