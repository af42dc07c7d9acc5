from . import test_xero_pacer
from . import test_xero_client
from . import test_sandbox
