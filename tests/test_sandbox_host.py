"""The Xero sandbox listens on loopback only unless told otherwise: its app
demo/demo and its control API (/_sandbox/...) must not be reachable from the
network by default."""

import socket

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.account_xero.xero_sandbox import SandboxServer
from odoo.addons.account_xero.xero_sandbox.__main__ import build, is_loopback


def _outward_address():
    """This machine's address on its default route, or None (no network)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1; UDP connect sends nothing
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if is_loopback(address) else address


@tagged("post_install", "-at_install")
class TestSandboxHost(BaseCase):

    def test_default_is_loopback(self):
        with SandboxServer() as srv:
            self.assertEqual(srv._server.server_address[0], "127.0.0.1")
            self.assertTrue(srv.url.startswith("http://127.0.0.1:"), srv.url)
        self.assertEqual(build([]).host, "127.0.0.1")
        self.assertEqual(build(["--port", "0"]).host, "127.0.0.1")

    def test_not_reachable_from_the_network(self):
        address = _outward_address()
        if not address:
            self.skipTest("this machine has no non-loopback IPv4 address")
        with SandboxServer() as srv:
            with self.assertRaises(OSError):
                socket.create_connection((address, srv.port), timeout=2).close()
            socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()

    def test_host_option(self):
        srv = build(["--host", "0.0.0.0", "--port", "0"])
        self.assertEqual(srv.host, "0.0.0.0")
        self.assertFalse(is_loopback(srv.host))
        with srv:
            # A wildcard is where it listens, not an address to call.
            self.assertTrue(srv.url.startswith("http://127.0.0.1:"), srv.url)
            address = _outward_address()
            if address:
                socket.create_connection((address, srv.port), timeout=2).close()
        for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
            self.assertTrue(is_loopback(host), host)
        for host in ("", "0.0.0.0", "::", "10.0.0.5", "example.com"):
            self.assertFalse(is_loopback(host), host)
