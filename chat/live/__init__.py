"""The live socket shell: admitting a socket, its ordered outbox, its inbound lanes and receive
loop, the visitor's connection and background loops.
"""
