"""Suggest mapping against the answer key (bench/README.rst, "Suggest
mapping").

For Odoo's charts ``l10n_au``, ``l10n_nz``, ``l10n_uk`` and the generic
chart (what a US company gets in Odoo 18), read from Odoo's CSV templates,
the addon's matcher (xero/mapping.py, the function Suggest mapping calls)
proposes a Xero account of the sandbox's default chart of that country
(xero_sandbox/charts.py) for every account; each proposal is compared with
bench/mapping_key.csv, written before the matcher. No database.

    python3 bench/mapping_bench.py            # the figures
    python3 bench/mapping_bench.py -v         # and every wrong or missed row
"""

import csv
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from xero.mapping import REASONS, suggest_account  # noqa: E402
from xero_sandbox import charts, seed  # noqa: E402

ODOO = os.environ.get("ODOO_SRC", "/opt/odoo/18.0") + "/addons/"
# country of the key -> (Odoo chart module, template code, Xero default chart)
COUNTRIES = {
    "AU": ("l10n_au", "au", "AU"),
    "NZ": ("l10n_nz", "nz", "NZ"),
    "UK": ("l10n_uk", "uk", "GB"),
    "US": ("account", "generic_coa", "US"),
}
GROUPS = {"asset": "asset", "liability": "liability", "equity": "equity",
          "income": "income", "expense": "expense"}
# What Check mapping asks to map (models/xero_mapping_check.py): bank
# accounts, income and expense accounts, and the accounts with a role.
NEEDED_TYPES = {"asset_cash", "income", "income_other", "expense", "expense_direct_cost"}
# company / property fields of a chart template -> the role Suggest mapping
# gives their accounts (models/xero_mapping_suggest.py does the same).
ROLE_FIELDS = {
    "property_account_receivable_id": "receivable",
    "account_default_pos_receivable_account_id": "receivable",
    "property_account_payable_id": "payable",
    "income_currency_exchange_account_id": "fx",
    "expense_currency_exchange_account_id": "fx",
}


def odoo_chart(module, template):
    """[(xmlid, code, name, account_type)] of an Odoo chart template."""
    path = "%s%s/data/template/account.account-%s.csv" % (ODOO, module, template)
    with open(path, encoding="utf-8") as f:
        return [(r["id"], r["code"], r["name"], r["account_type"]) for r in csv.DictReader(f)]


def odoo_roles(module, template):
    """{xmlid: role} from the template's company data and its taxes."""
    name = "template_%s.py" % template
    with open("%s%s/models/%s" % (ODOO, module, name), encoding="utf-8") as f:
        source = f.read()
    roles = {}
    for field, role in ROLE_FIELDS.items():
        for xmlid in re.findall(r"'%s':\s*'([^']+)'" % field, source):
            roles[xmlid] = role
    # The accounts of the sales taxes (a percentage between 0 and 100 %:
    # not a withholding, nor a 100 % adjustment), as the model's
    # _xero_sales_tax_accounts.
    path = "%s%s/data/template/account.tax-%s.csv" % (ODOO, module, template)
    with open(path, encoding="utf-8") as f:
        amount = 0.0
        for row in csv.DictReader(f):
            if row["id"]:
                amount = float(row.get("amount") or 0.0) \
                    if row.get("amount_type", "percent") in ("percent", "division", "") else 0.0
            xmlid = row.get("repartition_line_ids/account_id")
            if xmlid and 0.0 < amount < 100.0:
                roles.setdefault(xmlid, "tax")
    # The tax return's closing accounts (the tax groups' payable and
    # receivable accounts), as the model's _xero_account_roles.
    path = "%s%s/data/template/account.tax.group-%s.csv" % (ODOO, module, template)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for row in csv.DictReader(f):
                for field in ("tax_payable_account_id", "tax_receivable_account_id"):
                    if row.get(field):
                        roles.setdefault(row[field], "tax")
    return roles


def xero_chart(country):
    return [{"code": a["Code"], "name": a["Name"], "type": a["Type"], "class": a["Class"],
             "system": a.get("SystemAccount")}
            for a in seed.chart("NZ", "NZD", country)]


def group_of(account_type):
    return GROUPS.get(account_type.split("_")[0], "asset") \
        if account_type != "equity_unaffected" else "equity"


def main(verbose=False):
    with open(os.path.join(REPO, "bench", "mapping_key.csv"), encoding="utf-8") as f:
        key = {(r["country"], r["odoo_code"]): r for r in csv.DictReader(f)}
    print("Suggest mapping against the answer key (bench/mapping_key.csv)")
    print("%-3s %8s %9s %8s %9s %10s %8s %7s %10s" % (
        "", "accounts", "suggested", "right", "precision", "suggested%", "recall",
        "needed", "suggested%"))
    result = {}
    for country, (module, template, xero_country) in COUNTRIES.items():
        xero = xero_chart(xero_country)
        roles = odoo_roles(module, template)
        total = suggested = right = expected = needed = needed_suggested = 0
        lines = []
        for xmlid, code, name, account_type in odoo_chart(module, template):
            answer = key[(country, code)]["xero_code"]
            total += 1
            expected += bool(answer)
            found = suggest_account({
                "code": code, "name": name, "type": account_type,
                "group": group_of(account_type), "role": roles.get(xmlid),
            }, xero)
            got = found[0]["code"] if found else ""
            if got:
                suggested += 1
                right += got == answer
            if roles.get(xmlid) or account_type in NEEDED_TYPES:
                needed += 1
                needed_suggested += bool(got)
            if verbose and got != answer:
                lines.append("  %s %-40s key %-4s got %-4s %s" % (
                    code, name[:40], answer or "-", got or "-",
                    REASONS[found[1]] if found else ""))
        precision = right / suggested if suggested else 0.0
        result[country] = (total, suggested, right, precision)
        print("%-3s %8d %9d %8d %8.1f%% %9.1f%% %7.1f%% %7d %9.1f%%" % (
            country, total, suggested, right, 100 * precision, 100 * suggested / total,
            100 * right / expected if expected else 0.0, needed,
            100 * needed_suggested / needed))
        for line in lines:
            print(line)
    return result


if __name__ == "__main__":
    main(verbose="-v" in sys.argv[1:])
