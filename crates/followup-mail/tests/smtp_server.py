"""The tests' SMTP server: aiosmtpd over SMTPS that requires AUTH (PLAIN or LOGIN) with a password
(any user when USER is *), and stores every message it takes in a Maildir.

Usage: smtp_server.py PORT CERT KEY MAILDIR USER PASSWORD
"""
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword

port, cert, key, maildir, user, password = sys.argv[1:7]


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and (user == "*" or auth_data.login.decode() == user)
        and auth_data.password.decode() == password
    )
    return AuthResult(success=ok, handled=False)


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
controller = Controller(
    Mailbox(maildir),
    hostname="127.0.0.1",
    port=int(port),
    ssl_context=context,
    authenticator=authenticator,
    auth_required=True,
    auth_require_tls=False,
)
controller.start()
print("listening", flush=True)
threading.Event().wait()
