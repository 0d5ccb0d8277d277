x = 1
import socket
