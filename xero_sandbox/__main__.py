"""python -m xero_sandbox --host 127.0.0.1 --port 8070 [--latency 0.5]"""
import argparse
import contextlib
import sys

from .server import SandboxServer


def main(argv=None):
    parser = argparse.ArgumentParser(prog="xero_sandbox", description="Local Xero sandbox server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8070)
    parser.add_argument("--seed", type=int, default=None, help="seed for probabilistic faults")
    parser.add_argument("--auto-approve", action="store_true",
                        help="the authorize endpoint redirects at once with every tenant (no consent page)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="SECONDS",
                        help="hold every accounting API answer back this long, as Xero's latency "
                             "(default 0; also POST /_sandbox/latency {\"seconds\": ...})")
    args = parser.parse_args(argv)
    srv = SandboxServer(host=args.host, port=args.port, seed=args.seed)
    srv.store.auto_approve = args.auto_approve
    srv.latency = args.latency
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
