from . import test_xero_pacer
from . import test_mapping
from . import test_oauth
from . import test_xero_client
from . import test_security
from . import test_payloads
from . import test_ui_tour
from . import test_sandbox
