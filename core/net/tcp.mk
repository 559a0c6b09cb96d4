# core/net/tcp.mk: TCP, added to both core libraries.
