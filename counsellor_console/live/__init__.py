"""The console's live socket: admitting it (/ws/console), the connection and the chats it holds,
colleagues and limits, supervision and safety."""
