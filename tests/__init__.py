from . import test_xero_pacer
from . import test_xero_client
