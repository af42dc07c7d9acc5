"""python -m xero_sandbox [--host 127.0.0.1] --port 8070 [--latency 0.5]

Serves on the loopback interface only unless ``--host`` says otherwise: the
sandbox's app demo/demo and its control API (``/_sandbox/...``) have no
protection worth the name."""
import argparse
import contextlib
import ipaddress
import sys

from .server import SandboxServer


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="xero_sandbox", description="Local Xero sandbox server")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1, loopback only; "
                             "0.0.0.0 or :: exposes the sandbox and its control API to the network)")
    parser.add_argument("--port", type=int, default=8070)
    parser.add_argument("--seed", type=int, default=None, help="seed for probabilistic faults")
    parser.add_argument("--auto-approve", action="store_true",
                        help="the authorize endpoint redirects at once with every tenant (no consent page)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="SECONDS",
                        help="hold every accounting API answer back this long, as Xero's latency "
                             "(default 0; also POST /_sandbox/latency {\"seconds\": ...})")
    return parser.parse_args(argv)


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build(argv=None):
    """The configured (not started) server of the command line ``argv``."""
    args = parse_args(argv)
    srv = SandboxServer(host=args.host, port=args.port, seed=args.seed)
    srv.store.auto_approve = args.auto_approve
    srv.latency = args.latency
    return srv


def main(argv=None):
    srv = build(argv)
    if not is_loopback(srv.host):
        # pylint: disable-next=print-used  # a CLI's own warning on stderr, not a log line
        print("warning: the Xero sandbox listens on %s: anyone who can reach it can use the app "
              "demo/demo and its control API" % (srv.host or "every interface"),
              file=sys.stderr, flush=True)
    srv.start()
    tenant = srv.store.default_tenant_id
    # pylint: disable-next=print-used  # a CLI's own output on stdout, not a log line
    print("Xero sandbox listening on %s (app demo/demo, tenant %s)" % (srv.url, tenant), flush=True)
    try:
        with contextlib.suppress(KeyboardInterrupt):   # Ctrl-C is how the server is stopped
            srv._thread.join()
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
