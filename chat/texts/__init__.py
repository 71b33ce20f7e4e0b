"""What the chat says in each language: the catalogues, the page's words, the service's own lines
in a chat, the reviewed notices. Pure, like the domain.
"""
