"""The wire format of protocol.md: text frames parsed into typed inbound frames, and the outbound
frames built in one place. Pure, like the domain.
"""
