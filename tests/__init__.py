from . import test_xero_pacer
