#!/usr/bin/env python3
"""The classic threaded chat server, as described in ../../../shared/seed.md.

Written from that description (the well-known "chat_server.py": Python
sockets, one thread per client, each message broadcast to every other client
prefixed with the sender's IP, and printed on the server), ported to Python 3.
It is kept as close to the original as possible, including its flaws, because
the benchmark compares against what people actually ran:

  - it reads with recv(2048) and treats each chunk as a message, so a burst
    of lines shares one prefix and a line split across chunks gets a prefix
    in the middle (garbled);
  - it uses send(), not sendall(), so a partial write silently drops the rest;
  - client threads write to the same sockets concurrently, without a lock.

One deliberate change: the original loops forever on a closed connection
(recv returns b'' and the loop continues), burning a core per departed
client. Here the thread ends instead, so one run does not slow the next.

Usage: python3 classic_server.py HOST PORT
"""
import socket
import sys
import threading

RECV_BYTES = 2048
BACKLOG = 100

list_of_clients = []


def clientthread(conn, addr):
    conn.send(b"Welcome to this chatroom!\n")
    while True:
        try:
            message = conn.recv(RECV_BYTES)
            if message:
                text = "<" + addr[0] + "> " + message.decode("utf-8", "replace")
                print(text, end="" if text.endswith("\n") else "\n")
                broadcast(("<" + addr[0] + "> ").encode() + message, conn)
            else:
                remove(conn)
                return
        except Exception:
            remove(conn)
            return


def broadcast(message, connection):
    for clients in list(list_of_clients):
        if clients != connection:
            try:
                clients.send(message)
            except Exception:
                clients.close()
                remove(clients)


def remove(connection):
    if connection in list_of_clients:
        list_of_clients.remove(connection)


def main():
    if len(sys.argv) != 3:
        print("Correct usage: script, IP address, port number")
        sys.exit(2)
    ip_address = str(sys.argv[1])
    port = int(sys.argv[2])
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((ip_address, port))
    server.listen(BACKLOG)
    while True:
        conn, addr = server.accept()
        list_of_clients.append(conn)
        print(addr[0] + " connected")
        t = threading.Thread(target=clientthread, args=(conn, addr), daemon=True)
        t.start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
